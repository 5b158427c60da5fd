namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>PUBREC: acknowledges the packet with the same identifier.</summary>
public sealed record MqttPubRecPacket(ushort PacketIdentifier) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.PubRec;
}
