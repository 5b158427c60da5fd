namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Where one miner stands against its curtailment, in <c>farm.v1.reported</c> (<c>curtailment[]</c>, added within v1).
/// <paramref name="State"/> as for pools: <c>applied</c> (sent and read back: asleep with no hashrate, hashing again,
/// or the power target read back where the firmware reports it), <c>pending</c>, <c>waiting</c> (unreachable),
/// <c>failed</c> (<paramref name="Reason"/> says why; retried after <paramref name="NextRetryAt"/>).
/// <paramref name="MeasuredPowerW"/> and <paramref name="MeasuredHashrateHs"/> are from the agent's latest reading.
/// </summary>
public sealed record ReportedCurtailment(
    string MinerId,
    CurtailAction Action,
    ReportedMinerState State,
    double? PowerTargetW = null,
    double? MeasuredPowerW = null,
    double? MeasuredHashrateHs = null,
    string? Reason = null,
    DateTimeOffset? NextRetryAt = null);
