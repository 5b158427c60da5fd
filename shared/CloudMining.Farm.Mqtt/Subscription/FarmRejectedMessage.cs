using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>
/// A message <see cref="FarmMessageDecoder"/> refused: its topic, why, and one sentence saying what is wrong (what it
/// echoes of the input is bounded). <paramref name="Payload"/> is the parsed payload when there was one
/// (<see cref="FarmRejection.Misattributed"/>), so a consumer can name, e.g., the generation it refused.
/// </summary>
public sealed record FarmRejectedMessage(string TopicName, FarmRejection Kind, string Problem, FarmMessage? Payload = null);
