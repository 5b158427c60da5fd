namespace CloudMining.Farm.Mqtt.Messages;

/// <summary>The broker's answer to one topic filter of a SUBSCRIBE; 0x80 means refused (e.g. by an ACL).</summary>
public enum MqttSubscribeReturnCode : byte
{
    GrantedQos0 = 0,
    GrantedQos1 = 1,
    GrantedQos2 = 2,
    Failure = 0x80,
}
