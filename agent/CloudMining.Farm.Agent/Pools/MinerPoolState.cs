using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>Where the reconciler stands with one miner: what it verified, what failed and when it may try again.</summary>
internal sealed class MinerPoolState
{
    public ReportedMinerState Status { get; set; } = ReportedMinerState.Pending;

    /// <summary>The generation the miner was last verified at.</summary>
    public long? AppliedGeneration { get; set; }

    /// <summary>The enabled pools as last read from the miner, in the order it uses them (for the reported state).</summary>
    public IReadOnlyList<PoolTarget>? ReadPools { get; set; }

    public string? Reason { get; set; }

    public DateTimeOffset? NextRetryAt { get; set; }

    /// <summary>The current wait after a refusal; doubles up to the maximum, cleared on success or a new generation.</summary>
    public TimeSpan? Backoff { get; set; }

    /// <summary>When commands were last sent: snapshots from poll cycles that started earlier show the old pools.</summary>
    public DateTimeOffset? LastWriteAt { get; set; }
}
