using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>The latest known state of one miner: its last good snapshot, its health and why, and when it last answered.</summary>
public sealed record MinerPollStatus
{
    public required string MinerId { get; init; }

    public required MinerEndpoint Endpoint { get; init; }

    /// <summary>The profile the technician configured ("auto" or a name).</summary>
    public required string ConfiguredProfile { get; init; }

    public MinerHealthState State { get; init; } = MinerHealthState.Unknown;

    /// <summary>One sentence explaining <see cref="State"/>.</summary>
    public string Reason { get; init; } = "not polled yet";

    /// <summary>The most recent successful reading; kept when later polls fail, so its age shows how stale it is.</summary>
    public MinerSnapshot? Snapshot { get; init; }

    /// <summary>The most recent failure, redacted; cleared only by the next one.</summary>
    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    public DateTimeOffset? LastSuccessAt { get; init; }

    public DateTimeOffset? LastPolledAt { get; init; }

    /// <summary>Time the last poll took, retries included.</summary>
    public TimeSpan? LastPollDuration { get; init; }

    public int ConsecutiveFailures { get; init; }

    /// <summary>Successful polls since the agent started.</summary>
    public long Successes { get; init; }

    public long Failures { get; init; }
}
