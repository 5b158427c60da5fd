namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// The pools for one miner, highest priority first. <paramref name="ContractId"/> names the contract the miner
/// serves (null: unsold, mining for the house pool); agents use it to shed unsold load first when a rack overheats.
/// </summary>
public sealed record MinerPoolAssignment(string MinerId, IReadOnlyList<PoolTarget> Pools, string? ContractId = null);
