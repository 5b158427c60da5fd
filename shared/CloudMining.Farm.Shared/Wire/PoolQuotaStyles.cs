namespace CloudMining.Farm.Shared.Wire;

/// <summary>How a miner can split its hashrate between pools (the <c>poolQuota</c> field of <see cref="MinerCapabilities"/>).</summary>
public static class PoolQuotaStyles
{
    /// <summary>No split: the miner mines for its first live pool (failover order).</summary>
    public const string None = "none";

    /// <summary>cgminer's integer pool quotas (load balance by <c>poolquota</c>), step 1.</summary>
    public const string CgminerQuota = "cgminer-quota";

    /// <summary>A share ratio per pool group (Braiins OS+ quota / fixed share ratio, LuxOS <c>groupquota</c>).</summary>
    public const string GroupRatio = "group-ratio";

    public static IReadOnlyList<string> All { get; } = [None, CgminerQuota, GroupRatio];
}
