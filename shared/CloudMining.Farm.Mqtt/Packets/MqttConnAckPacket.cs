namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>CONNACK: the broker's verdict on a CONNECT.</summary>
public sealed record MqttConnAckPacket(bool SessionPresent, MqttConnectReturnCode ReturnCode) : MqttPacket
{
    public override MqttControlPacketType Type => MqttControlPacketType.ConnAck;
}
