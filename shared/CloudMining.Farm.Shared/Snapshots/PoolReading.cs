namespace CloudMining.Farm.Shared.Snapshots;

/// <summary>One configured pool and its share accounting since the miner (re)started.</summary>
public sealed record PoolReading
{
    public required int Index { get; init; }

    public required string Url { get; init; }

    public string? User { get; init; }

    /// <summary>Alive, Dead, Disabled… as the firmware says it.</summary>
    public string? Status { get; init; }

    public int? Priority { get; init; }

    public int? Quota { get; init; }

    /// <summary>True where the firmware says work currently goes to this pool.</summary>
    public bool? Active { get; init; }

    public long Accepted { get; init; }

    public long Rejected { get; init; }

    public long Stale { get; init; }

    public double DifficultyAccepted { get; init; }

    public double DifficultyRejected { get; init; }

    public double DifficultyStale { get; init; }

    public DateTimeOffset? LastShareTime { get; init; }
}
