namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>What the offline queue does when a new message would push it over its byte bound.</summary>
public enum MqttOfflineQueueFullPolicy
{
    /// <summary>Discard the oldest queued messages to make room: newest telemetry wins (the default for an agent).</summary>
    DropOldest,

    /// <summary>Refuse the new message with an exception; the queue keeps what it has.</summary>
    RejectNew,
}
