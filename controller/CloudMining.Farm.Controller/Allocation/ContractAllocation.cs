using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>What one contract gets in a plan: target, allocated measured hashrate, shortfall and how it is spread.</summary>
public sealed record ContractAllocation(
    string ContractId,
    Hashrate Target,
    Hashrate Allocated,
    Hashrate Shortfall,
    int WholeMiners,
    int QuotaShares,
    int Racks,
    int Pdus)
{
    /// <summary>True when the contract gets at least its target within the allocator's tolerance.</summary>
    public bool IsCovered => Shortfall.HashesPerSecond <= 0;
}
