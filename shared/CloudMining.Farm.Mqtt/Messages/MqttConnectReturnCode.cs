namespace CloudMining.Farm.Mqtt.Messages;

/// <summary>The broker's answer to CONNECT (MQTT 3.1.1 section 3.2.2.3).</summary>
public enum MqttConnectReturnCode : byte
{
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUserNameOrPassword = 4,
    NotAuthorized = 5,
}
