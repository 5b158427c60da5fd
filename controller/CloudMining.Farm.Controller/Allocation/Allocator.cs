using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>
/// Pure, deterministic allocation of miners (or quota shares of miners) to contracts, starting from the current assignment
/// so that only what must move moves. See docs/allocation.md for the algorithm, its guarantees and limits.
/// </summary>
public sealed class Allocator
{
    private readonly AllocatorOptions _options;

    public Allocator(AllocatorOptions? options = null)
    {
        _options = options ?? new AllocatorOptions();
        _options.Validate();
    }

    /// <summary>
    /// Plans the allocation of <paramref name="miners"/> to the active <paramref name="contracts"/>, keeping
    /// <paramref name="current"/> shares wherever they remain valid. Unsold hashrate goes to the house pool.
    /// </summary>
    /// <param name="miners">The fleet as measured now; ids must be unique.</param>
    /// <param name="contracts">Contracts active now (the caller filters by term); ids must be unique.</param>
    /// <param name="current">Shares per miner id as last enforced, or an empty map for a first solve.</param>
    public AllocationPlan Solve(
        IReadOnlyList<Miner> miners,
        IReadOnlyList<Contract> contracts,
        IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> current)
    {
        ArgumentNullException.ThrowIfNull(miners);
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentNullException.ThrowIfNull(current);
        return new AllocationRun(_options, miners, contracts, current).Execute();
    }
}
