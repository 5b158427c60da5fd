using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>What one poll of one miner concluded: the health it implies, why, and the snapshot or error behind it.</summary>
public sealed record MinerPollOutcome(MinerHealthState State, string Reason)
{
    public MinerSnapshot? Snapshot { get; init; }

    /// <summary>The failure as the technician should read it; null on success.</summary>
    public string? Error { get; init; }

    public bool IsSuccess => Snapshot is not null;
}
