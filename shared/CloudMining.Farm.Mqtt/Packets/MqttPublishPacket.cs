namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>PUBLISH: one application message; <see cref="PacketIdentifier"/> is 0 for QoS 0.</summary>
public sealed record MqttPublishPacket : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.Publish;

    public required string Topic { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    public MqttQualityOfServiceLevel Qos { get; init; }

    public bool Retain { get; init; }

    public bool Dup { get; init; }

    public ushort PacketIdentifier { get; init; }
}
