namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>PINGRESP: a packet with no body; one shared instance suffices.</summary>
public sealed record MqttPingRespPacket : MqttPacket
{
    public static readonly MqttPingRespPacket Instance = new();

    public override MqttControlPacketType Type => MqttControlPacketType.PingResp;
}
