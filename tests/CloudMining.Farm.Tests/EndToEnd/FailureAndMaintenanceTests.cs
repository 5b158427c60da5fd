using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>Issue 5 end to end, each on its own farm (they change it): a rack going dark, a miner drained for maintenance.</summary>
[Trait("Category", "EndToEnd")]
[Trait("Category", "Integration")]
public sealed class FailureAndMaintenanceTests
{
    private static readonly TimeSpan Converge = ContractedFarmFixture.Converge;

    [Fact]
    public async Task Dark_rack_moves_its_contracts_to_the_remaining_capacity_and_nothing_is_oversold()
    {
        await using EndToEndFarm farm = await EndToEndFarm.StartAsync();
        CapacityView before = await ContractedFarmFixture.WaitForCapacityAsync(farm);
        double unit = before.UnitSizeHs;
        // 75 % of the farm sold: once a third of it is gone the newer contract cannot be fully covered any more.
        double olderHs = (long)(before.UnitsFree * 0.40) * unit, newerHs = (long)(before.UnitsFree * 0.35) * unit;
        await AddAsync(farm, "dark-older", olderHs, "stratum+tcp://pool-o.e2e:3333", "olga.w1");
        await AddAsync(farm, "dark-newer", newerHs, "stratum+tcp://pool-n.e2e:3333", "nick.w1");
        Assert.True(await farm.AllRacksAppliedAsync(Converge), await ContractedFarmFixture.FleetTextAsync(farm));
        AllocationView allocated = await farm.Ops.GetAllocationAsync(CancellationToken.None);
        Assert.Contains(allocated.Contracts.SelectMany(c => c.Shares), s => s.Rack == EndToEndFarm.RackId(3));

        foreach (SimulatedMiner m in farm.RackMiners(3))
        {
            m.SetPower(false);
        }

        string state = "";
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                AllocationView a = await farm.Ops.GetAllocationAsync(CancellationToken.None);
                CapacityView c = await farm.Ops.GetCapacityAsync(CancellationToken.None);
                state = $"capacity {c}; " + string.Join("; ", a.Contracts.Select(x => $"{x.Id} target {x.TargetHs / 1e12:F1} allocated {x.AllocatedHs / 1e12:F1} racks {string.Join(",", x.Shares.Select(s => s.Rack).Distinct())}"));
                return c.UnitsTotal < before.UnitsTotal && !a.Contracts.SelectMany(x => x.Shares).Any(s => s.Rack == EndToEndFarm.RackId(3));
            }, Converge, TimeSpan.FromMilliseconds(500)),
            "the dark rack is still referenced or capacity did not drop: " + state);

        CapacityView after = await farm.Ops.GetCapacityAsync(CancellationToken.None);
        AllocationView moved = await farm.Ops.GetAllocationAsync(CancellationToken.None);
        ContractView older = moved.Contracts.Single(c => c.Id == "dark-older"), newer = moved.Contracts.Single(c => c.Id == "dark-newer");

        // docs/allocation.md, honest shortage: the oldest sale is served first, the newest carries the shortfall.
        Assert.True(older.AllocatedHs >= olderHs * 0.995, state);
        Assert.True(newer.AllocatedHs < newerHs, $"the newer contract cannot be covered by what is left, yet reports {newer.AllocatedHs / 1e12:F1} TH/s: {state}");
        Assert.Equal(0, after.UnitsFree);
        Assert.True(after.UnitsTotal * unit < olderHs + newerHs, state);

        // Nothing oversold: no miner gives away more than all of itself, and what is allocated exists on the lit racks.
        var perMiner = moved.Contracts.SelectMany(c => c.Shares).Concat(moved.House).GroupBy(s => s.MinerId).ToDictionary(g => g.Key, g => g.Sum(s => s.Fraction));
        Assert.All(perMiner, kv => Assert.True(kv.Value <= 1.0005, $"{kv.Key} is shared out {kv.Value:P1}"));
        FleetView fleet = await farm.Ops.GetFleetAsync(CancellationToken.None);
        double lit = fleet.Racks.Where(r => r.Rack != EndToEndFarm.RackId(3)).Sum(r => r.HashrateHs);
        Assert.True(older.AllocatedHs + newer.AllocatedHs <= lit * 1.02, $"allocated {(older.AllocatedHs + newer.AllocatedHs) / 1e12:F1} TH/s of {lit / 1e12:F1} TH/s hashing");

        // And the older contract is delivered at its pool from the remaining racks.
        Assert.True(await farm.AllRacksAppliedAsync(Converge, ignoreRack: EndToEndFarm.RackId(3)), await ContractedFarmFixture.FleetTextAsync(farm));
        await AssertDeliveredAsync(farm, "stratum+tcp://pool-o.e2e:3333", "olga.w1", olderHs);
    }

    [Fact]
    public async Task Drained_miner_leaves_its_contract_and_the_contract_stays_covered()
    {
        await using EndToEndFarm farm = await EndToEndFarm.StartAsync();
        CapacityView capacity = await ContractedFarmFixture.WaitForCapacityAsync(farm);
        double targetHs = (long)(capacity.UnitsFree * 0.30) * capacity.UnitSizeHs;
        await AddAsync(farm, "drain-c", targetHs, "stratum+tcp://pool-d.e2e:3333", "dora.w1");
        Assert.True(await farm.AllRacksAppliedAsync(Converge), await ContractedFarmFixture.FleetTextAsync(farm));
        ContractView before = (await farm.Ops.GetContractAsync("drain-c", CancellationToken.None))!;
        string victim = before.Shares.First(s => s.Fraction >= 0.999).MinerId;

        MinerView drained = await farm.Ops.SetDrainedAsync(victim, drained: true, CancellationToken.None);
        Assert.True(drained.Drained);

        ContractView now = before;
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                now = (await farm.Ops.GetContractAsync("drain-c", CancellationToken.None))!;
                return now.Shares.All(s => s.MinerId != victim) && now.AllocatedHs >= targetHs * 0.995;
            }, Converge, TimeSpan.FromMilliseconds(250)),
            $"after draining {victim}: allocated {now.AllocatedHs / 1e12:F1} of {targetHs / 1e12:F1} TH/s on {string.Join(",", now.Shares.Select(s => s.MinerId))}");
        Assert.Empty((await farm.Ops.GetMinerAsync(victim, CancellationToken.None))!.Shares);
        Assert.True(await farm.AllRacksAppliedAsync(Converge), await ContractedFarmFixture.FleetTextAsync(farm));

        // The pool side agrees: the contract still gets its target, and the drained miner no longer mines for it.
        await AssertDeliveredAsync(farm, "stratum+tcp://pool-d.e2e:3333", "dora.w1", targetHs);
        Assert.DoesNotContain(farm.Sim[victim].Snapshot().Pools, p => p.Enabled && p.User == "dora.w1");
    }

    private static Task<ContractView> AddAsync(EndToEndFarm farm, string id, double hs, string url, string worker) =>
        farm.Ops.AddContractAsync(new NewContractRequest(id, "cust-" + id, $"{hs / 1e12} TH/s", url, worker, null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), CancellationToken.None);

    /// <summary>Measures the pool account over windows until it is within ±5 % of the target (a rebalance may land inside a window).</summary>
    private static async Task AssertDeliveredAsync(EndToEndFarm farm, string url, string worker, double targetHs)
    {
        double atPool = 0;
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                atPool = (await farm.MeasurePoolsAsync(TimeSpan.FromSeconds(4))).GetValueOrDefault((url, worker));
                return Math.Abs(atPool - targetHs) <= 0.05 * targetHs;
            }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)),
            $"{worker} at {url}: {atPool / 1e12:F1} TH/s at the pool for a target of {targetHs / 1e12:F1} TH/s; {await SharesTextAsync(farm, worker)}");
    }

    /// <summary>For a failure message: each miner mining for <paramref name="worker"/>, its firmware, hashrate and pools (quota, group).</summary>
    private static async Task<string> SharesTextAsync(EndToEndFarm farm, string worker)
    {
        AllocationView a = await farm.Ops.GetAllocationAsync(CancellationToken.None);
        IEnumerable<string> shares = a.Contracts.SelectMany(c => c.Shares.Select(s => (c, s))).Where(x => x.c.Worker == worker).Select(x =>
        {
            SimulatedMiner m = farm.Sim[x.s.MinerId];
            CloudMining.Farm.Simulator.Mining.MinerView v = m.Snapshot();
            string pools = string.Join(" ", v.Pools.Where(p => p.Enabled).Select(p => $"{p.User}:q{p.Quota}g{p.Group}"));
            return $"{x.s.MinerId} {m.Firmware} share {x.s.Fraction:P0} hashing {v.Hash5s / 1e12:F1} TH/s pools [{pools}]";
        });
        return "shares: " + string.Join("; ", shares);
    }
}
