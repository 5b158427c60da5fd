namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>PINGREQ: a packet with no body; one shared instance suffices.</summary>
public sealed record MqttPingReqPacket : MqttPacket
{
    public static readonly MqttPingReqPacket Instance = new();

    public override MqttControlPacketType Type => MqttControlPacketType.PingReq;
}
