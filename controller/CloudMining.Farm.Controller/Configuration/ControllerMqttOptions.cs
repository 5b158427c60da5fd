using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>The "Controller:Mqtt" section: where the broker is and who the controller is on it.</summary>
public sealed class ControllerMqttOptions
{
    public string? Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    public string? Username { get; set; }

    /// <summary>Never logged; <see cref="ToString"/> leaves it out.</summary>
    public string? Password { get; set; }

    public string? ClientId { get; set; } = "controller";

    /// <summary>"5" (MQTT 5, the default) or "3.1.1" for a broker without MQTT 5 (ACL refusals are then silent drops).</summary>
    public string? ProtocolVersion { get; set; } = "5";

    /// <summary>
    /// MQTT 5 shared-subscription group for telemetry ingest (docs/deploy.md, "Shared subscriptions"): when set, the
    /// controller subscribes to per-miner telemetry and rack batches as <c>$share/{group}/…</c>, so the broker hands each
    /// such message to one of the group's subscribers; miner state and agent status stay plain subscriptions (every
    /// instance sees them). Null (the default): plain subscriptions. A name without '/', '+' or '#'.
    /// </summary>
    public string? IngestShareGroup { get; set; }

    /// <summary>
    /// Client options for one of the controller's connections: client id "{ClientId}{suffix}", persistent session,
    /// broker user "{Username}{suffix}" with the same password when a user is set, the farm's packet limit, and
    /// auto-reconnect — a broker that is down at start or restarts later is waited for, not fatal; the client
    /// re-subscribes itself. The broker binds each session to its user (use_username_as_clientid, see
    /// scripts/broker-setup.sh), so each connection needs a user of its own: broker-setup.sh creates
    /// "controller-engine" beside "controller" with the same password.
    /// </summary>
    /// <summary>
    /// MQTT 5 Receive Maximum the controller announces on its connections: the broker sends it at most this many
    /// QoS 1 messages (rack batches, states) unacknowledged, so a controller that falls behind keeps the backlog in the
    /// broker, not in its own memory (announced nothing before, i.e. up to 65,535: 2.6 million readings in racks of 40).
    /// </summary>
    public const int ReceiveMaximum = 1000;

    public MqttClientOptions ToClientOptions(string connectionSuffix = "")
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(Host!.Trim(), Port)
            .WithClientId(ClientId!.Trim() + connectionSuffix)
            .WithCleanSession(false)
            .WithProtocolVersion(MqttProtocolVersions.TryParse(ProtocolVersion, out MQTTnet.Formatter.MqttProtocolVersion version)
                ? version
                : throw new Mqtt.Exceptions.MqttConfigurationException($"Controller:Mqtt:ProtocolVersion '{ProtocolVersion}' is not {MqttProtocolVersions.Accepted}."))
            .WithMaxPacketSize(FarmMqttLimits.MaxPacketSize)
            .WithReceiveMaximum(ReceiveMaximum)
            .WithAutoReconnect(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
        if (!string.IsNullOrEmpty(Username))
        {
            builder.WithCredentials(Username.Trim() + connectionSuffix, Password);
        }

        return builder.Build();
    }

    public override string ToString() => $"{Host}:{Port} as {ClientId}" + (Username is null ? "" : $" (user {Username})");
}
