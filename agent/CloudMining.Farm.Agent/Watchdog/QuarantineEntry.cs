namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>A miner the watchdog gave up on: since when, why, and after how many power-cycles. Kept in watchdog.json across restarts.</summary>
public sealed record QuarantineEntry(string MinerId, DateTimeOffset Since, string Reason, int PowerCycles);
