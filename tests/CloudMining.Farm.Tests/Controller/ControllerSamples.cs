using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;
using Xunit;

namespace CloudMining.Farm.Tests.Controller;

/// <summary>Builds fleets and contracts for controller tests and checks the allocator's invariants on a plan.</summary>
internal static class ControllerSamples
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Miner Miner(string id, string rack, string pdu, double th, bool quota = true, MinerHealth health = MinerHealth.Healthy, bool drained = false) =>
        new(id, rack, pdu, quota ? "braiins-os" : "antminer-stock", quota, Hashrate.FromTerahashes(th), health, drained);

    /// <summary>racks × perRack miners of <paramref name="th"/> TH/s, two PDUs per rack, ids "r{rack}-m{n}".</summary>
    public static List<Miner> Fleet(int racks, int perRack, double th = 100, bool quota = true)
    {
        var list = new List<Miner>();
        for (int r = 1; r <= racks; r++)
        {
            for (int k = 1; k <= perRack; k++)
            {
                list.Add(Miner($"r{r}-m{k:00}", $"r{r}", $"pdu{k % 2}", th, quota));
            }
        }

        return list;
    }

    public static Contract Contract(string id, double th, int startDay = 0) =>
        CloudMining.Farm.Controller.Contracts.Contract.Create(
            id,
            "customer-" + id,
            Hashrate.FromTerahashes(th),
            PoolAccount.Create("stratum+tcp://btc.pool.example:3333", "acct." + id),
            ContractTerm.Fixed(Epoch.AddDays(startDay), Epoch.AddDays(startDay + 365)),
            FeeTerms.Create(0.05m, electricityAtCost: true));

    public static IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> None { get; } = new Dictionary<string, IReadOnlyList<PoolShare>>();

    public static List<Miner> With(this List<Miner> fleet, Func<Miner, bool> which, Func<Miner, Miner> change) =>
        [.. fleet.Select(m => which(m) ? change(m) : m)];

    /// <summary>Asserts what every plan must satisfy: no miner over-allocated, nothing sold from unsellable miners, allocations add up.</summary>
    public static void AssertInvariants(AllocationPlan plan, IReadOnlyList<Miner> fleet, int maxPools = 3)
    {
        var byId = fleet.ToDictionary(m => m.Id);
        var delivered = new Dictionary<string, double>();
        foreach ((string minerId, IReadOnlyList<PoolShare> shares) in plan.Assignments)
        {
            Miner m = byId[minerId];
            Assert.True(shares.Sum(s => s.Fraction) <= 1 + 1e-9, $"{minerId} is over-allocated: {string.Join(", ", shares)}");
            Assert.True(shares.Count <= maxPools, $"{minerId} is split between {shares.Count} pools");
            Assert.Equal(shares.Count, shares.Select(s => s.Assignee).Distinct().Count());
            foreach (PoolShare s in shares.Where(s => s.Assignee != HousePool.AssigneeId))
            {
                Assert.True(m.IsSellable, $"{minerId} ({m.Health}, drained={m.Drained}) carries contract {s.Assignee}");
                Assert.True(s.Fraction < 1 - 1e-9 ? m.SupportsPoolQuotas : true, $"{minerId} has a quota share but no quota support");
                delivered[s.Assignee] = delivered.GetValueOrDefault(s.Assignee) + (s.Fraction * m.MeasuredHashrate.HashesPerSecond);
            }

            if (m.Drained)
            {
                Assert.Empty(shares);
            }
        }

        foreach (ContractAllocation c in plan.Contracts)
        {
            Assert.Equal(delivered.GetValueOrDefault(c.ContractId), c.Allocated.HashesPerSecond, 1e3);
        }
    }
}
