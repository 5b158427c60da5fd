namespace CloudMining.Farm.Simulator.Mining;

/// <summary>A pool a miner is configured with at start: stratum URL, worker, password.</summary>
public sealed record PoolDefinition(string Url, string User, string Password = "x", int Quota = 1);
