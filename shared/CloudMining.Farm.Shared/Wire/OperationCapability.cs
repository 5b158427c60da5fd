namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// One operation of one miner in its reported capabilities: whether the agent can carry it out, through which write
/// channel, whether a read-only probe confirmed it (<paramref name="Verified"/>), and when it cannot, the
/// <paramref name="Reason"/> (one of <see cref="CapabilityReasons"/>), why in words and what to do about it.
/// <paramref name="Operation"/> is the profile's operation name (<c>setPools</c>, <c>locateOn</c>…).
/// </summary>
public sealed record OperationCapability(
    string Operation,
    bool Available,
    string? Channel = null,
    bool? Verified = null,
    string? Reason = null,
    string? Why = null,
    string? Fix = null);
