namespace CloudMining.Farm.Mqtt.Formatter;

/// <summary>Bytes that are not a valid MQTT 3.1.1 packet; the message says which rule was broken and where.</summary>
public sealed class MqttProtocolException : Exception
{
    public MqttProtocolException()
    {
    }

    public MqttProtocolException(string message)
        : base(message)
    {
    }

    public MqttProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
