namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>One miner's ladder position as written to watchdog.json for `farm-agent status`.</summary>
public sealed record WatchdogMinerState(string MinerId, WatchdogStep Step, DateTimeOffset Since, string? Reason);
