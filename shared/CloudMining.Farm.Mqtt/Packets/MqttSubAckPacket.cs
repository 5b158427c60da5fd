namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>SUBACK: one return code per filter of the SUBSCRIBE, in order.</summary>
public sealed record MqttSubAckPacket(ushort PacketIdentifier, IReadOnlyList<MqttSubscribeReturnCode> ReturnCodes) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.SubAck;
}
