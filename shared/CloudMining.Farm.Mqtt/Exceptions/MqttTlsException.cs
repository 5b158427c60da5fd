namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>The TLS handshake failed: untrusted certificate, wrong host name, unreadable certificate files.</summary>
public sealed class MqttTlsException : MqttCommunicationException
{
    public MqttTlsException()
    {
    }

    public MqttTlsException(string message)
        : base(message)
    {
    }

    public MqttTlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
