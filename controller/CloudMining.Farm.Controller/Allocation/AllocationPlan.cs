using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>The allocator's answer: the desired shares of every miner, the moves from the current state with reasons, and per-contract results.</summary>
/// <param name="Assignments">Desired shares per miner id; a drained miner has an empty list.</param>
/// <param name="Moves">Only the miners whose shares change, in a deterministic order.</param>
/// <param name="Contracts">Per contract, in the order the allocator served them.</param>
/// <param name="PoolSwitches">Miners whose set of pools changes (each costs stale shares).</param>
/// <param name="QuotaAdjustments">Miners whose pools stay the same but whose quotas change.</param>
/// <param name="HouseHashrate">Measured hashrate left to the operator's own pool.</param>
public sealed record AllocationPlan(
    IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> Assignments,
    IReadOnlyList<AllocationMove> Moves,
    IReadOnlyList<ContractAllocation> Contracts,
    int PoolSwitches,
    int QuotaAdjustments,
    Hashrate HouseHashrate)
{
    /// <summary>Total shortfall over all contracts; zero when every contract is covered.</summary>
    public Hashrate TotalShortfall
    {
        get
        {
            double sum = 0;
            foreach (ContractAllocation c in Contracts)
            {
                sum += c.Shortfall.HashesPerSecond;
            }

            // Targets are bounded where they are sold (ContractTarget.Max); a sum of stored extremes saturates instead of throwing.
            return new Hashrate(double.IsFinite(sum) ? sum : double.MaxValue);
        }
    }
}
