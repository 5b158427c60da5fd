namespace CloudMining.Farm.Mqtt.OfflineQueue;

/// <summary>Records handed to the sender; committed (removed from disk) only after all of them went out.</summary>
internal sealed record MqttOfflineQueueBatch(IReadOnlyList<MqttOfflineQueueRecord> Records);
