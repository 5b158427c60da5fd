namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>PUBCOMP: acknowledges the packet with the same identifier.</summary>
public sealed record MqttPubCompPacket(ushort PacketIdentifier) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.PubComp;
}
