namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>SUBSCRIBE: asks for messages matching one or more topic filters.</summary>
public sealed record MqttSubscribePacket(ushort PacketIdentifier, IReadOnlyList<MqttTopicFilter> Filters) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.Subscribe;
}
