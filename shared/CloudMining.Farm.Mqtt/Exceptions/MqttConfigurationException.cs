namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>Client options that cannot work; the message lists every problem found.</summary>
public sealed class MqttConfigurationException : Exception
{
    public MqttConfigurationException()
    {
    }

    public MqttConfigurationException(string message)
        : base(message)
    {
    }

    public MqttConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
