namespace CloudMining.Farm.ControlApi;

/// <summary>The current allocation: version, each contract's shares, and the house pool's.</summary>
public sealed record AllocationView(long Version, IReadOnlyList<ContractView> Contracts, IReadOnlyList<ShareView> House, double HouseHashrateHs);
