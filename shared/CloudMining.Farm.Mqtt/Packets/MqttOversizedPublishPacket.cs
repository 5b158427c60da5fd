namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>
/// A PUBLISH larger than the receiver's packet limit: only its head (topic, QoS, packet id) was decoded, the payload
/// was read past and discarded, so the client can acknowledge it and carry on instead of buffering or looping on it.
/// </summary>
public sealed record MqttOversizedPublishPacket : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.Publish;

    public required string Topic { get; init; }

    public MqttQualityOfServiceLevel Qos { get; init; }

    public bool Retain { get; init; }

    public bool Dup { get; init; }

    public ushort PacketIdentifier { get; init; }

    /// <summary>The whole packet's size in bytes, fixed header included.</summary>
    public long Size { get; init; }
}
