namespace CloudMining.Farm.Mqtt.Messages;

/// <summary>One topic filter of a SUBSCRIBE with the highest QoS the subscriber wants.</summary>
public sealed record MqttTopicFilter(string Topic, MqttQualityOfServiceLevel Qos = MqttQualityOfServiceLevel.AtLeastOnce);
