namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>An operation needs a live connection and there is none (and no offline queue or reconnect to hold it).</summary>
public sealed class MqttClientNotConnectedException : MqttCommunicationException
{
    public MqttClientNotConnectedException()
    {
    }

    public MqttClientNotConnectedException(string message)
        : base(message)
    {
    }

    public MqttClientNotConnectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
