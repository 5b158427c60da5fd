namespace CloudMining.Farm.Mqtt.OfflineQueue;

/// <summary>The offline queue is at its byte bound and its policy is to refuse new messages.</summary>
public sealed class MqttOfflineQueueFullException : Exception
{
    public MqttOfflineQueueFullException()
    {
    }

    public MqttOfflineQueueFullException(string message)
        : base(message)
    {
    }

    public MqttOfflineQueueFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
