namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>DISCONNECT: a packet with no body; one shared instance suffices.</summary>
public sealed record MqttDisconnectPacket : MqttPacket
{
    public static readonly MqttDisconnectPacket Instance = new();

    public override MqttControlPacketType Type => MqttControlPacketType.Disconnect;
}
