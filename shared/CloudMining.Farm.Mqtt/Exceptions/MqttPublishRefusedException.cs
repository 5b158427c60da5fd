namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>
/// The broker answered a QoS 1 PUBLISH with a failure reason code (MQTT 5 PUBACK, e.g. 0x87 NotAuthorized when its ACL
/// refuses the topic). Retrying does not help; the message names the topic and the broker user.
/// </summary>
public sealed class MqttPublishRefusedException : MqttCommunicationException
{
    public MqttPublishRefusedException()
    {
    }

    public MqttPublishRefusedException(string message)
        : base(message)
    {
    }

    public MqttPublishRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MqttPublishRefusedException(string message, int reasonCode)
        : base(message)
    {
        ReasonCode = reasonCode;
    }

    /// <summary>The PUBACK reason code (0x80 and above).</summary>
    public int ReasonCode { get; }
}
