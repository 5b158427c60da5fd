namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>watchdog.json in the state directory: the quarantined miners (authoritative) and every miner not healthy (informative).</summary>
public sealed record WatchdogDocument
{
    public IReadOnlyList<QuarantineEntry> Quarantined { get; init; } = [];

    public IReadOnlyList<WatchdogMinerState> Miners { get; init; } = [];
}
