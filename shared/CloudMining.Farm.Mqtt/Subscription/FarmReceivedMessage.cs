using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>One farm/v1 message after parsing and duplicate filtering: its topic (parsed and raw) and its typed payload.</summary>
public sealed record FarmReceivedMessage(FarmTopic Topic, string TopicName, FarmMessage Payload, bool Retained);
