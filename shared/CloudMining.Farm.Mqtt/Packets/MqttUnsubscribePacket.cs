namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>UNSUBSCRIBE: drops one or more topic filters.</summary>
public sealed record MqttUnsubscribePacket(ushort PacketIdentifier, IReadOnlyList<string> Filters) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.Unsubscribe;
}
