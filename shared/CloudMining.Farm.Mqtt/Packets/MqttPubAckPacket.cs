namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>PUBACK: acknowledges the packet with the same identifier.</summary>
public sealed record MqttPubAckPacket(ushort PacketIdentifier) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.PubAck;
}
