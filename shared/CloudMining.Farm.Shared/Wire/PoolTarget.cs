namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// One pool a miner should use. No password: agents hold pool passwords locally, keyed by URL and user.
/// <paramref name="Quota"/> is the miner's share weight for this pool on firmwares with pool quotas (cgminer
/// "poolquota"); null means failover by priority only.
/// </summary>
public sealed record PoolTarget(string Url, string User, int Priority, int? Quota = null);
