namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>Where and how much the client stores on disk while the broker cannot be reached.</summary>
public sealed record MqttOfflineQueueOptions
{
    public required string Directory { get; init; }

    /// <summary>Upper bound of queued message bytes (topic + payload + framing).</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    public MqttOfflineQueueFullPolicy FullPolicy { get; init; } = MqttOfflineQueueFullPolicy.DropOldest;

    public MqttOfflineQueueFsyncPolicy FsyncPolicy { get; init; } = MqttOfflineQueueFsyncPolicy.EveryRecord;

    /// <summary>A segment file is closed and a new one started past this size; fully sent segments are deleted.</summary>
    public long SegmentBytes { get; init; } = 4L * 1024 * 1024;
}
