namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>TLS settings: which CA to trust, an optional client certificate, and host-name checking.</summary>
public sealed record MqttClientTlsOptions
{
    /// <summary>PEM file of the CA(s) that signed the broker certificate; null trusts the system store.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate for brokers that require one (with <see cref="ClientKeyFile"/>).</summary>
    public string? ClientCertificateFile { get; init; }

    public string? ClientKeyFile { get; init; }

    /// <summary>Name the broker certificate must carry; defaults to the host we connect to.</summary>
    public string? TargetHost { get; init; }

    /// <summary>Turning this off accepts a certificate issued to another host; only for labs.</summary>
    public bool CheckHostName { get; init; } = true;
}
