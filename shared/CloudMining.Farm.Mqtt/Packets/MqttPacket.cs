namespace CloudMining.Farm.Mqtt.Packets;

/// <summary>Base of every MQTT 3.1.1 control packet.</summary>
public abstract record MqttPacket
{
    public abstract MqttControlPacketType Type { get; }
}
