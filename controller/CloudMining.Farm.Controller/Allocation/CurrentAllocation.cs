using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Store;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>
/// The allocation in force: shares per miner and its version (the desired-state generation), as stored. Solves a new
/// plan from it (<see cref="Allocator"/>) and applies a plan that changes anything (stored first, then in force).
/// </summary>
public sealed partial class CurrentAllocation(IControllerStore store, ILogger<CurrentAllocation> logger)
{
    private readonly IControllerStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly ILogger _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    private readonly Allocator _allocator = new();
    private IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> _assignments = new Dictionary<string, IReadOnlyList<PoolShare>>();
    private long _version;

    /// <summary>The version in force (0: nothing allocated yet). Safe to read from any thread.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Shares per miner id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> Assignments => _assignments;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments) = await _store.LoadAllocationAsync(cancellationToken);
        Interlocked.Exchange(ref _version, version);
        _assignments = assignments;
    }

    /// <summary>The plan for <paramref name="miners"/> and the <paramref name="active"/> contracts, keeping current shares where they remain valid.</summary>
    public AllocationPlan Solve(IReadOnlyList<Miner> miners, IEnumerable<Contract> active) => _allocator.Solve(miners, [.. active], _assignments);

    /// <summary>True when <paramref name="plan"/> would change any miner's shares.</summary>
    public bool ChangesAnything(AllocationPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return !Same(plan.Assignments, _assignments);
    }

    /// <summary>Stores <paramref name="plan"/> as the next version and puts it in force; nothing when it changes nothing.</summary>
    public async Task ApplyAsync(AllocationPlan plan, string why, CancellationToken cancellationToken)
    {
        if (!ChangesAnything(plan))
        {
            return;
        }

        long next = _version + 1;
        await _store.SaveAllocationAsync(next, plan.Assignments, cancellationToken);
        Interlocked.Exchange(ref _version, next);
        _assignments = plan.Assignments;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Shared.Units.Hashrate shortfall = plan.TotalShortfall;
            int moves = plan.Moves.Count;
            LogApplied(_logger, next, why, moves, plan.PoolSwitches, plan.QuotaAdjustments, shortfall);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            foreach (AllocationMove move in plan.Moves)
            {
                LogMove(_logger, move);
            }
        }
    }

    /// <summary>Measured hashrate of the shares <paramref name="contractId"/> holds on the sellable <paramref name="miners"/>, H/s.</summary>
    public double AllocatedHs(string contractId, IEnumerable<Miner> miners)
    {
        ArgumentNullException.ThrowIfNull(miners);
        double sum = 0;
        foreach (Miner m in miners)
        {
            if (m.IsSellable && _assignments.TryGetValue(m.Id, out IReadOnlyList<PoolShare>? shares))
            {
                foreach (PoolShare s in shares)
                {
                    if (s.Assignee == contractId)
                    {
                        sum += s.Fraction * m.MeasuredHashrate.HashesPerSecond;
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>The shares held by <paramref name="assignee"/> (a contract id or the house), by miner id.</summary>
    public IEnumerable<(string MinerId, PoolShare Share)> SharesOf(string assignee)
    {
        foreach ((string minerId, IReadOnlyList<PoolShare> shares) in _assignments.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (PoolShare s in shares)
            {
                if (s.Assignee == assignee)
                {
                    yield return (minerId, s);
                }
            }
        }
    }

    private static bool Same(IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> a, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach ((string miner, IReadOnlyList<PoolShare> shares) in a)
        {
            if (!b.TryGetValue(miner, out IReadOnlyList<PoolShare>? other) || !shares.SequenceEqual(other))
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Allocation version {Version} ({Why}): {Moves} miner(s) changed, {Switches} pool switch(es), {Quota} quota adjustment(s), shortfall {Shortfall}")]
    private static partial void LogApplied(ILogger logger, long version, string why, int moves, int switches, int quota, Shared.Units.Hashrate shortfall);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Move: {Move}")]
    private static partial void LogMove(ILogger logger, AllocationMove move);
}
