namespace CloudMining.Farm.Agent.Status;

/// <summary>status.json: what the running agent last knew about its rack, rewritten after every poll cycle.</summary>
public sealed record AgentStatusDocument
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public required string Site { get; init; }

    public required string RackId { get; init; }

    public required int ProcessId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When this file was written; older than three intervals means the agent is not running.</summary>
    public required DateTimeOffset WrittenAt { get; init; }

    public required double PollIntervalSeconds { get; init; }

    public required long Cycle { get; init; }

    public required double CycleSeconds { get; init; }

    public required int MinersTotal { get; init; }

    public required int MinersAnswering { get; init; }

    public required double RackHashrate5sHashesPerSecond { get; init; }

    public required IReadOnlyList<MinerStatusEntry> Miners { get; init; }
}
