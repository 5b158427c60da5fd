namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>When the offline queue forces appended records to the disk.</summary>
public enum MqttOfflineQueueFsyncPolicy
{
    /// <summary>fsync after every append: survives power loss, costs a disk flush per message while offline.</summary>
    EveryRecord,

    /// <summary>Write to the OS page cache only: survives a process kill (kill -9) but not a power cut.</summary>
    OsCache,
}
