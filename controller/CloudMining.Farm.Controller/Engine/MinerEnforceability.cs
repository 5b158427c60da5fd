namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// What the controller may ask of one miner, judged from its agent's reported capabilities: whether its pools can be
/// set (else it is sold to nobody and left out of the desired state), whether a quota split can go to it, and when
/// not, why and what the operator should do (<see cref="Why"/>, <see cref="Fix"/>).
/// </summary>
public sealed record MinerEnforceability(bool PoolsWritable, bool SupportsQuota, string? Why = null, string? Fix = null)
{
    /// <summary>Pools can be set, quotas too.</summary>
    public static MinerEnforceability Writable(bool quota) => new(true, quota);

    public static MinerEnforceability NotWritable(string why, string fix) => new(false, false, why, fix);
}
