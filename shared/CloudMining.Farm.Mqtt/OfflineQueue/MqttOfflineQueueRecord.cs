using CloudMining.Farm.Mqtt.Client;

namespace CloudMining.Farm.Mqtt.OfflineQueue;

/// <summary>One queued message and where its record ends on disk (the checkpoint moves there once it is sent).</summary>
internal sealed record MqttOfflineQueueRecord(MqttApplicationMessage Message, long SegmentId, long EndOffset, int Size);
