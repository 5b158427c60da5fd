namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>The broker could not be reached or the link to it broke; usually transient, the client reconnects.</summary>
public class MqttCommunicationException : Exception
{
    public MqttCommunicationException()
    {
    }

    public MqttCommunicationException(string message)
        : base(message)
    {
    }

    public MqttCommunicationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
