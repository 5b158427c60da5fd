namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>UNSUBACK: acknowledges the packet with the same identifier.</summary>
public sealed record MqttUnsubAckPacket(ushort PacketIdentifier) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.UnsubAck;
}
