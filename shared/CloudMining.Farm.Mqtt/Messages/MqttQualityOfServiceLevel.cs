namespace CloudMining.Farm.Mqtt.Messages;

/// <summary>MQTT delivery guarantee of one message.</summary>
public enum MqttQualityOfServiceLevel : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}
