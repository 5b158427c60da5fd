using CloudMining.Farm.Mqtt.Messages;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// One filter of a SUBSCRIBE and the broker's answer: <see cref="ReturnCode"/> in MQTT 3.1.1 terms (any refusal is
/// <see cref="MqttSubscribeReturnCode.Failure"/>) and the exact <see cref="ReasonCode"/> (MQTT 5: 0x87 NotAuthorized
/// when the ACL refuses it, 0x80 unspecified; 3.1.1 only has 0x80).
/// </summary>
public sealed record MqttClientSubscribeResultItem(MqttTopicFilter Filter, MqttSubscribeReturnCode ReturnCode, int ReasonCode)
{
    public bool Granted => ReasonCode < 0x80;
}
