namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>The connection was lost or closed while an operation waited for the broker's answer.</summary>
public sealed class MqttClientDisconnectedException : MqttCommunicationException
{
    public MqttClientDisconnectedException()
    {
    }

    public MqttClientDisconnectedException(string message)
        : base(message)
    {
    }

    public MqttClientDisconnectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
