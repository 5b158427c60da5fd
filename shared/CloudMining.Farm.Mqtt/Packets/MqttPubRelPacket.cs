namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>PUBREL: acknowledges the packet with the same identifier.</summary>
public sealed record MqttPubRelPacket(ushort PacketIdentifier) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.PubRel;
}
