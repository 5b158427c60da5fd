namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>
/// A message to publish would exceed the packet limit the broker enforces (it would disconnect us and never store
/// it); refused before it is queued or sent. Derives from <see cref="MqttCommunicationException"/> so publishers that
/// already survive a failed publish survive this one too.
/// </summary>
public sealed class MqttMessageTooLargeException : MqttCommunicationException
{
    public MqttMessageTooLargeException()
    {
    }

    public MqttMessageTooLargeException(string message)
        : base(message)
    {
    }

    public MqttMessageTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
