namespace CloudMining.Farm.Agent.Configuration;

/// <summary>The "Agent:Mqtt" section: where the agent publishes telemetry; no Host means MQTT is off and the agent only polls.</summary>
public sealed class AgentMqttOptions
{
    /// <summary>Broker host name or address; empty turns publishing off.</summary>
    public string? Host { get; set; }

    /// <summary>Broker port; null means 1883, or 8883 with TLS.</summary>
    public int? Port { get; set; }

    /// <summary>Connect with TLS (implied by <see cref="CaFile"/> or <see cref="ClientCertificateFile"/>).</summary>
    public bool Tls { get; set; }

    /// <summary>PEM CA bundle that signed the broker certificate; empty trusts the system store.</summary>
    public string? CaFile { get; set; }

    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    public string? Username { get; set; }

    /// <summary>Never logged: <see cref="ToString"/> and the MQTT client mask it.</summary>
    public string? Password { get; set; }

    /// <summary>Empty means "agent-{site}-{rack}", the user name broker-setup.sh creates for the rack.</summary>
    public string? ClientId { get; set; }

    /// <summary>Disk queue used while the broker is away; empty means "{StateDirectory}/mqtt-queue".</summary>
    public string? OfflineQueueDirectory { get; set; }

    /// <summary>Upper bound of the disk queue; the oldest telemetry is dropped beyond it.</summary>
    public long OfflineQueueMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>0 or 1 for per-miner telemetry; status, state changes and events always go with QoS 1.</summary>
    public int TelemetryQos { get; set; } = 1;

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>"5" (MQTT 5, the default) or "3.1.1" for a broker without MQTT 5 (ACL refusals are then silent drops).</summary>
    public string? ProtocolVersion { get; set; } = "5";

    /// <summary>Longest wait between reconnect attempts (the backoff starts at 200 ms and doubles up to this).</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    public bool UsesTls => Tls || !string.IsNullOrWhiteSpace(CaFile) || !string.IsNullOrWhiteSpace(ClientCertificateFile);

    public int EffectivePort => Port ?? (UsesTls ? 8883 : 1883);

    public override string ToString() =>
        $"{(UsesTls ? "mqtts" : "mqtt")}://{Host}:{EffectivePort} user={Username ?? "(none)"} password={(string.IsNullOrEmpty(Password) ? "(none)" : "***")}";
}
