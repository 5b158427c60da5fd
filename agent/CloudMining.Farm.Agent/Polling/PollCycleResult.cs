namespace CloudMining.Farm.Agent.Polling;

/// <summary>What one pass over every miner of the rack took and found.</summary>
public sealed record PollCycleResult(long Cycle, DateTimeOffset StartedAt, TimeSpan Duration, int Polled, int Succeeded);
