using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>One filter of a SUBSCRIBE and the broker's return code for it (0x80 = refused).</summary>
public sealed record MqttClientSubscribeResultItem(MqttTopicFilter Filter, MqttSubscribeReturnCode ReturnCode);
