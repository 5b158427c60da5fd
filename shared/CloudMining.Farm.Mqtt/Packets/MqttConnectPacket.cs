using System.Text;

namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>CONNECT: opens a session; carries credentials and the last will.</summary>
public sealed record MqttConnectPacket : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.Connect;

    public required string ClientId { get; init; }

    public string? Username { get; init; }

    /// <summary>Binary in MQTT; never printed (see PrintMembers).</summary>
    public ReadOnlyMemory<byte>? Password { get; init; }

    public bool CleanSession { get; init; } = true;

    public ushort KeepAliveSeconds { get; init; }

    public string? WillTopic { get; init; }

    public ReadOnlyMemory<byte> WillPayload { get; init; }

    public MqttQualityOfServiceLevel WillQos { get; init; }

    public bool WillRetain { get; init; }

    // The generated ToString would print the password; secrets must never reach a log line.
    protected override bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ClientId = ").Append(ClientId)
            .Append(", Username = ").Append(Username ?? "(none)")
            .Append(", Password = ").Append(Password is null ? "(none)" : "***")
            .Append(", CleanSession = ").Append(CleanSession)
            .Append(", KeepAliveSeconds = ").Append(KeepAliveSeconds)
            .Append(", WillTopic = ").Append(WillTopic ?? "(none)");
        return true;
    }
}
