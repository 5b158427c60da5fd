namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Where one miner stands against the desired pool state, in <c>farm.v1.reported</c>. <paramref name="State"/> is
/// <c>applied</c> (read back and verified at <paramref name="AppliedGeneration"/> = the report's generation),
/// <c>pending</c> (not tried yet), <c>waiting</c> (unreachable; tried again once it answers), <c>failed</c>
/// (refused or not verified; <paramref name="Reason"/> says why, <paramref name="NextRetryAt"/> when it is tried again)
/// or <c>rejected</c> (added within v1: the miner's entry of the desired state failed the agent's checks, or names a
/// miner the agent does not have; it was not applied and is not retried for this generation, the miner keeps the pools
/// it had; <paramref name="Reason"/> names the field). See <see cref="ReportedMinerState"/>.
/// </summary>
public sealed record ReportedMinerStatus(string MinerId, ReportedMinerState State, long? AppliedGeneration = null, string? Reason = null, DateTimeOffset? NextRetryAt = null);
