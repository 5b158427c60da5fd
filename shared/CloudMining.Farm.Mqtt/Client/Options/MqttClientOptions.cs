using System.Text;
using MQTTnet.Formatter;

namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>Everything the client needs to reach and talk to a broker; build with <see cref="MqttClientOptionsBuilder"/>.</summary>
public sealed record MqttClientOptions
{
    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 1883;

    public string ClientId { get; init; } = string.Empty;

    /// <summary>MQTT 5 (the default) or 3.1.1 for brokers that lack 5; see <see cref="MqttProtocolVersions"/>.</summary>
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;

    public string? Username { get; init; }

    /// <summary>Never logged; <see cref="ToString"/> masks it.</summary>
    public string? Password { get; init; }

    /// <summary>False keeps the session (subscriptions, queued QoS 1) on the broker across reconnects.</summary>
    public bool CleanSession { get; init; } = true;

    public TimeSpan KeepAlivePeriod { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Published by the broker when this client vanishes without DISCONNECT.</summary>
    public MqttApplicationMessage? WillMessage { get; init; }

    public MqttClientTlsOptions? Tls { get; init; }

    /// <summary>How long to wait for CONNACK, SUBACK, UNSUBACK.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>QoS 1 messages sent but not yet acknowledged; publishers wait when it is full.</summary>
    public int MaxInflight { get; init; } = 512;

    /// <summary>
    /// Largest whole packet sent or received, in bytes. A larger publish is refused locally
    /// (<see cref="Exceptions.MqttMessageTooLargeException"/>). With MQTT 5 it is announced at CONNECT (Maximum Packet
    /// Size), so the broker never sends more; with 3.1.1 a larger PUBLISH from the broker is acknowledged, counted and
    /// logged, never delivered. Defaults to the farm's <see cref="Shared.Wire.FarmMqttLimits.MaxPacketSize"/>.
    /// </summary>
    public int MaxPacketSize { get; init; } = Shared.Wire.FarmMqttLimits.MaxPacketSize;

    /// <summary>
    /// MQTT 5 Receive Maximum announced at CONNECT: at most this many QoS 1/2 messages the broker sends this client
    /// unacknowledged, so a client that falls behind leaves the backlog in the broker's queue rather than in its own
    /// memory (unset: not announced, which lets the broker send up to 65,535). Ignored with 3.1.1 (the broker's
    /// <c>max_inflight_messages</c> is the only bound there).
    /// </summary>
    public int? ReceiveMaximum { get; init; }

    public bool AutoReconnect { get; init; }

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A connection counts as healthy only once it stayed up this long: one that dies sooner (a poison message, a
    /// session takeover, a broker refusing us right after CONNACK) does not reset the reconnect backoff.
    /// </summary>
    public TimeSpan ReconnectHealthyAfter { get; init; } = TimeSpan.FromSeconds(10);

    public MqttOfflineQueueOptions? OfflineQueue { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public string Endpoint => $"{(Tls is null ? "mqtt" : "mqtts")}://{Host}:{Port}";

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Endpoint = ").Append(Endpoint)
            .Append(", ClientId = ").Append(ClientId)
            .Append(", ProtocolVersion = ").Append(MqttProtocolVersions.Name(ProtocolVersion))
            .Append(", Username = ").Append(Username ?? "(none)")
            .Append(", Password = ").Append(Password is null ? "(none)" : "***")
            .Append(", CleanSession = ").Append(CleanSession)
            .Append(", KeepAlivePeriod = ").Append(KeepAlivePeriod)
            .Append(", AutoReconnect = ").Append(AutoReconnect)
            .Append(", MaxPacketSize = ").Append(MaxPacketSize)
            .Append(", ReceiveMaximum = ").Append(ReceiveMaximum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)");
        return true;
    }
}
