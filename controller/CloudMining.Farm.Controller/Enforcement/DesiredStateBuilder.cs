using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Shared.Wire;
using WirePool = CloudMining.Farm.Shared.Wire.PoolTarget;

namespace CloudMining.Farm.Controller.Enforcement;

/// <summary>
/// Turns allocation shares into the pools each miner of a rack should mine on: a whole contract miner gets the
/// contract's pool and worker, an unsold (or drained) miner the house pool, and a split miner one pool per share with
/// quota weights in thousandths (the allocator's 0.1 % resolution) — splits only exist on quota-capable firmwares.
/// </summary>
public static class DesiredStateBuilder
{
    /// <summary>Quota weight of a whole miner; a share's weight is its fraction times this.</summary>
    public const int QuotaScale = 1000;

    /// <summary>The desired pools of <paramref name="minerIds"/> (one rack), ordered by miner id; miners with nothing to mine on are left out.</summary>
    public static IReadOnlyList<MinerPoolAssignment> Build(
        IEnumerable<string> minerIds,
        IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments,
        IReadOnlyDictionary<string, Contract> contracts,
        HousePool? house)
    {
        ArgumentNullException.ThrowIfNull(minerIds);
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(contracts);
        var result = new List<MinerPoolAssignment>();
        foreach (string minerId in minerIds.Order(StringComparer.Ordinal))
        {
            IReadOnlyList<PoolShare> shares = assignments.TryGetValue(minerId, out IReadOnlyList<PoolShare>? s) ? s : [];
            if (For(minerId, shares, contracts, house) is { } assignment)
            {
                result.Add(assignment);
            }
        }

        return result;
    }

    /// <summary>The pools of one miner, or null when it has nothing to mine on (no shares and no house pool configured).</summary>
    public static MinerPoolAssignment? For(string minerId, IReadOnlyList<PoolShare> shares, IReadOnlyDictionary<string, Contract> contracts, HousePool? house)
    {
        ArgumentNullException.ThrowIfNull(shares);
        ArgumentNullException.ThrowIfNull(contracts);

        // A drained miner (no shares) mines for the house while it is still running: its work is then the operator's, never a customer's by accident.
        var pools = new List<(PoolShare Share, Contracts.PoolAccount Pool)>();
        foreach (PoolShare share in shares.OrderByDescending(x => x.Fraction).ThenBy(x => x.Assignee, StringComparer.Ordinal))
        {
            Contracts.PoolAccount? target = share.Assignee == HousePool.AssigneeId
                ? house?.Pool
                : contracts.TryGetValue(share.Assignee, out Contract? c) ? c.Pool : null;
            if (target is not null)
            {
                pools.Add((share, target));
            }
        }

        if (pools.Count == 0)
        {
            return house is null ? null : new MinerPoolAssignment(minerId, [new WirePool(house.Pool.Url, house.Pool.Worker, 0)], null);
        }

        string? contractId = pools.Select(p => p.Share.Assignee).FirstOrDefault(a => a != HousePool.AssigneeId);
        if (pools.Count == 1)
        {
            (PoolShare only, Contracts.PoolAccount pool) = pools[0];
            return new MinerPoolAssignment(minerId, [new WirePool(pool.Url, pool.Worker, 0)], contractId);
        }

        return new MinerPoolAssignment(
            minerId,
            [.. pools.Select((p, i) => new WirePool(p.Pool.Url, p.Pool.Worker, i, Math.Max(1, (int)Math.Round(p.Share.Fraction * QuotaScale))))],
            contractId);
    }
}
