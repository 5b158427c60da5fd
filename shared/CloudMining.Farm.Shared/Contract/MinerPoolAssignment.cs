namespace CloudMining.Farm.Shared.Contract;

/// <summary>The pools for one miner, highest priority first.</summary>
public sealed record MinerPoolAssignment(string MinerId, IReadOnlyList<PoolTarget> Pools);
