namespace CloudMining.Farm.Shared.Contract;

/// <summary>One pool a miner should use. No password: agents hold pool passwords locally, keyed by URL and user.</summary>
public sealed record PoolTarget(string Url, string User, int Priority);
