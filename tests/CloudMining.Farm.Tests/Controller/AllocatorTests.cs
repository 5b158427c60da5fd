using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller;

public class AllocatorTests
{
    private readonly Allocator _allocator = new();

    [Fact]
    public void Contract_is_covered_by_whole_miners_and_one_quota_share_for_the_remainder()
    {
        List<Miner> fleet = Fleet(racks: 3, perRack: 2);

        AllocationPlan plan = _allocator.Solve(fleet, [Contract("c1", 250)], None);

        ContractAllocation c1 = Assert.Single(plan.Contracts);
        Assert.Equal(2, c1.WholeMiners);
        Assert.Equal(1, c1.QuotaShares);
        Assert.Equal(250, c1.Allocated.TerahashesPerSecond, 3);
        Assert.True(c1.IsCovered);
        PoolShare quota = plan.Assignments.Values.SelectMany(s => s).Single(s => s.Assignee == "c1" && s.Fraction < 1);
        Assert.Equal(0.5, quota.Fraction, 9);
        Assert.All(plan.Moves.Where(m => m.To.Any(s => s.Assignee == "c1")), m =>
        {
            Assert.Equal(MoveReason.NewContract, m.Kind);
            Assert.Equal("new contract c1 (250.00 TH/s)", m.Reason);
        });
        AssertInvariants(plan, fleet);
    }

    [Fact]
    public void Remainder_is_rounded_up_to_a_whole_miner_when_no_firmware_supports_quotas()
    {
        List<Miner> fleet = Fleet(racks: 3, perRack: 2, quota: false);

        AllocationPlan plan = _allocator.Solve(fleet, [Contract("c1", 250)], None);

        ContractAllocation c1 = Assert.Single(plan.Contracts);
        Assert.Equal(3, c1.WholeMiners);
        Assert.Equal(0, c1.QuotaShares);
        Assert.Equal(300, c1.Allocated.TerahashesPerSecond, 3);
        Assert.Contains(plan.Moves, m => m.Reason.Contains("rounded up to a whole miner", StringComparison.Ordinal));
        AssertInvariants(plan, fleet);
    }

    [Fact]
    public void Remainders_of_several_contracts_share_one_quota_miner_before_splitting_another()
    {
        List<Miner> fleet = Fleet(racks: 4, perRack: 3);

        AllocationPlan plan = _allocator.Solve(fleet, [Contract("c1", 130), Contract("c2", 140)], None);

        // 30 + 40 TH/s of remainders fit one 100 TH/s miner together with the house pool (3 pools).
        var split = plan.Assignments.Where(a => a.Value.Any(s => s.Fraction < 1 && s.Assignee != HousePool.AssigneeId)).ToList();
        var only = Assert.Single(split);
        Assert.Equal(["c1", "c2", HousePool.AssigneeId], only.Value.Select(s => s.Assignee));
        Assert.Equal(0.3, only.Value.Single(s => s.Assignee == HousePool.AssigneeId).Fraction, 9);
        AssertInvariants(plan, fleet);
    }

    [Fact]
    public void Contract_is_spread_over_racks_and_pdus()
    {
        List<Miner> fleet = Fleet(racks: 5, perRack: 8);

        AllocationPlan plan = _allocator.Solve(fleet, [Contract("c1", 500), Contract("c2", 800), Contract("c3", 300)], None);

        foreach (ContractAllocation c in plan.Contracts)
        {
            int miners = c.WholeMiners + c.QuotaShares;
            Assert.True(c.Racks == Math.Min(miners, 5), $"{c.ContractId}: {miners} miners on only {c.Racks} racks");
            Assert.True(c.Pdus >= c.Racks, $"{c.ContractId}: {c.Pdus} PDUs for {c.Racks} racks");
            Assert.True(c.IsCovered);
        }

        // No single rack carries more than ceil(miners / racks) whole miners of a contract.
        var rackOf = fleet.ToDictionary(m => m.Id, m => m.Rack);
        foreach (ContractAllocation c in plan.Contracts)
        {
            int worst = plan.Assignments
                .Where(a => a.Value.Any(s => s.Assignee == c.ContractId))
                .GroupBy(a => rackOf[a.Key])
                .Max(g => g.Count());
            Assert.True(worst <= (int)Math.Ceiling((c.WholeMiners + c.QuotaShares) / 5.0), $"{c.ContractId} has {worst} miners on one rack");
        }

        AssertInvariants(plan, fleet);
    }

    [Fact]
    public void Unchanged_fleet_and_contracts_keep_the_current_assignment_with_zero_switches()
    {
        List<Miner> fleet = Fleet(racks: 6, perRack: 10);
        Contract[] contracts = [Contract("c1", 730), Contract("c2", 1250), Contract("c3", 90), Contract("c4", 2000)];
        AllocationPlan first = _allocator.Solve(fleet, contracts, None);

        AllocationPlan second = _allocator.Solve(fleet, contracts, first.Assignments);

        Assert.Empty(second.Moves);
        Assert.Equal(0, second.PoolSwitches);
        Assert.Equal(0, second.QuotaAdjustments);
        foreach ((string miner, IReadOnlyList<PoolShare> shares) in first.Assignments)
        {
            Assert.Equal(shares, second.Assignments[miner]);
        }
    }

    [Fact]
    public void Losing_a_rack_moves_only_the_contracts_it_served_and_oversells_nothing()
    {
        List<Miner> fleet = Fleet(racks: 5, perRack: 10);
        Contract[] contracts = [.. Enumerable.Range(1, 8).Select(k => Contract($"c{k}", 150 + (k * 40)))];
        AllocationPlan before = _allocator.Solve(fleet, contracts, None);
        var hitContracts = before.Assignments
            .Where(a => a.Key.StartsWith("r2-", StringComparison.Ordinal))
            .SelectMany(a => a.Value.Select(s => s.Assignee))
            .Where(id => id != HousePool.AssigneeId)
            .ToHashSet();
        Assert.NotEmpty(hitContracts);

        List<Miner> dark = fleet.With(m => m.Rack == "r2", m => m with { Health = MinerHealth.Offline });
        AllocationPlan after = _allocator.Solve(dark, contracts, before.Assignments);

        AssertInvariants(after, dark);
        Assert.All(after.Contracts, c => Assert.True(c.IsCovered, $"{c.ContractId} short by {c.Shortfall}"));
        foreach (AllocationMove move in after.Moves)
        {
            if (move.Rack == "r2")
            {
                Assert.Equal(MoveReason.RackLostPower, move.Kind);
                Assert.Equal("rack r2 lost power", move.Reason);
                continue;
            }

            // A miner outside r2 only moves to pick up a contract that r2 served, and keeps every share it had.
            IEnumerable<string> gained = move.To.Select(s => s.Assignee).Except(move.From.Select(s => s.Assignee)).Where(a => a != HousePool.AssigneeId);
            Assert.All(gained, g => Assert.Contains(g, hitContracts));
            Assert.All(move.From.Where(s => s.Assignee != HousePool.AssigneeId), s => Assert.Contains(move.To, t => t.Assignee == s.Assignee && t.Fraction >= s.Fraction - 1e-9));
            Assert.Equal(MoveReason.ContractUnderTarget, move.Kind);
            Assert.Contains("after rack r2 lost power", move.Reason, StringComparison.Ordinal);
        }

        foreach (Contract c in contracts.Where(c => !hitContracts.Contains(c.Id)))
        {
            Assert.Equal(
                before.Assignments.Where(a => a.Value.Any(s => s.Assignee == c.Id)).Select(a => a.Key).Order(),
                after.Assignments.Where(a => a.Value.Any(s => s.Assignee == c.Id)).Select(a => a.Key).Order());
        }
    }

    [Fact]
    public void Drained_miner_leaves_its_contract_without_a_shortfall_when_capacity_exists()
    {
        List<Miner> fleet = Fleet(racks: 3, perRack: 4);
        Contract[] contracts = [Contract("c1", 400), Contract("c2", 250)];
        AllocationPlan before = _allocator.Solve(fleet, contracts, None);
        string victim = before.Assignments.First(a => a.Value.Any(s => s.Assignee == "c1" && s.Fraction >= 1)).Key;

        List<Miner> drained = fleet.With(m => m.Id == victim, m => m with { Drained = true });
        AllocationPlan after = _allocator.Solve(drained, contracts, before.Assignments);

        Assert.Empty(after.Assignments[victim]);
        Assert.All(after.Contracts, c => Assert.True(c.IsCovered, $"{c.ContractId} short by {c.Shortfall}"));
        AllocationMove off = Assert.Single(after.Moves, m => m.MinerId == victim);
        Assert.Equal(MoveReason.MinerDrained, off.Kind);
        Assert.Equal($"miner {victim} drained for maintenance", off.Reason);
        AllocationMove on = Assert.Single(after.Moves, m => m.MinerId != victim);
        Assert.Equal($"contract c1 under target by 100.00 TH/s after miner {victim} drained for maintenance", on.Reason);

        // c2 was untouched, and exactly two miners changed pools.
        Assert.Equal(2, after.PoolSwitches);
        AssertInvariants(after, drained);
    }

    [Fact]
    public void Same_input_in_any_order_gives_the_same_plan()
    {
        List<Miner> fleet = Fleet(racks: 7, perRack: 9);
        fleet = fleet.With(m => m.Id.EndsWith('3'), m => m with { SupportsPoolQuotas = false, MeasuredHashrate = m.MeasuredHashrate * 1.37 });
        Contract[] contracts = [.. Enumerable.Range(1, 12).Select(k => Contract($"c{k}", 75 + (k * 33), startDay: k % 3))];
        AllocationPlan a = _allocator.Solve(fleet, contracts, None);

        var rng = new Random(7);
        List<Miner> shuffledFleet = [.. fleet.OrderBy(_ => rng.Next())];
        Contract[] shuffledContracts = [.. contracts.OrderBy(_ => rng.Next())];
        AllocationPlan b = _allocator.Solve(shuffledFleet, shuffledContracts, None);

        Assert.Equal(a.Moves.Select(m => m.ToString()), b.Moves.Select(m => m.ToString()));
        Assert.Equal(a.Contracts, b.Contracts);
        AssertInvariants(a, fleet);
    }

    [Fact]
    public void House_pool_gets_every_unsold_hashrate()
    {
        List<Miner> fleet = Fleet(racks: 3, perRack: 5).With(m => m.Id == "r3-m05", m => m with { Health = MinerHealth.Offline });

        AllocationPlan plan = _allocator.Solve(fleet, [Contract("c1", 333), Contract("c2", 410)], None);

        // 14 healthy miners × 100 TH/s − 743 sold.
        Assert.Equal(657, plan.HouseHashrate.TerahashesPerSecond, 3);
        foreach (Miner m in fleet.Where(m => m.IsSellable))
        {
            Assert.Equal(1, plan.Assignments[m.Id].Sum(s => s.Fraction), 9);
        }

        Assert.Equal([new PoolShare(HousePool.AssigneeId, 1)], plan.Assignments["r3-m05"]);
        Assert.All(plan.Moves.Where(m => m.Kind == MoveReason.UnsoldToHouse), m => Assert.Equal(HousePool.AssigneeId, Assert.Single(m.To).Assignee));
        AssertInvariants(plan, fleet);
    }

    [Fact]
    public void Shortage_is_reported_on_the_newest_contract_and_nothing_is_oversold()
    {
        List<Miner> fleet = Fleet(racks: 2, perRack: 3);

        AllocationPlan plan = _allocator.Solve(fleet, [Contract("old", 400, startDay: 0), Contract("new", 400, startDay: 10)], None);

        Assert.True(plan.Contracts.Single(c => c.ContractId == "old").IsCovered);
        Assert.Equal(200, plan.Contracts.Single(c => c.ContractId == "new").Shortfall.TerahashesPerSecond, 3);
        Assert.Equal(0, plan.HouseHashrate.TerahashesPerSecond, 6);
        AssertInvariants(plan, fleet);
    }

    [Fact]
    public void Rising_measured_hashrate_shrinks_a_quota_share_without_a_pool_switch()
    {
        List<Miner> fleet = Fleet(racks: 3, perRack: 2);
        Contract[] contracts = [Contract("c1", 250)];
        AllocationPlan before = _allocator.Solve(fleet, contracts, None);

        List<Miner> faster = fleet.With(_ => true, m => m with { MeasuredHashrate = m.MeasuredHashrate * 1.1 });
        AllocationPlan after = _allocator.Solve(faster, contracts, before.Assignments);

        Assert.Equal(0, after.PoolSwitches);
        Assert.True(after.QuotaAdjustments >= 1);
        Assert.All(after.Moves, m => Assert.Equal(MoveReason.ContractOverTarget, m.Kind));
        ContractAllocation c1 = Assert.Single(after.Contracts);
        Assert.InRange(c1.Allocated.TerahashesPerSecond, 250, 250 * 1.006);
        AssertInvariants(after, faster);
    }

    [Fact]
    public void Ended_contract_returns_its_miners_to_the_house_pool()
    {
        List<Miner> fleet = Fleet(racks: 2, perRack: 3);
        AllocationPlan before = _allocator.Solve(fleet, [Contract("c1", 200), Contract("c2", 150)], None);

        AllocationPlan after = _allocator.Solve(fleet, [Contract("c1", 200)], before.Assignments);

        Assert.All(after.Moves, m => Assert.Equal("contract c2 ended", m.Reason));
        Assert.DoesNotContain(after.Assignments.Values.SelectMany(s => s), s => s.Assignee == "c2");
        Assert.Equal(400, after.HouseHashrate.TerahashesPerSecond, 3);
    }

    [Fact]
    public void Hashrate_lost_with_a_miner_is_replaced_even_when_it_is_within_the_drift_tolerance()
    {
        List<Miner> fleet = Fleet(racks: 10, perRack: 12);
        Contract[] contracts = [Contract("big", 10_005)];
        AllocationPlan before = _allocator.Solve(fleet, contracts, None);
        string quotaMiner = before.Assignments.Single(a => a.Value.Any(s => s.Assignee == "big" && s.Fraction < 1)).Key;

        List<Miner> failed = fleet.With(m => m.Id == quotaMiner, m => m with { Health = MinerHealth.Offline });
        AllocationPlan after = _allocator.Solve(failed, contracts, before.Assignments);

        Assert.True(Assert.Single(after.Contracts).IsCovered);
        Assert.Equal(2, after.PoolSwitches);
        AssertInvariants(after, failed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    public void Random_fleets_stay_covered_and_never_over_allocated_through_failures_and_repairs(int seed)
    {
        var rng = new Random(seed);
        var fleet = new List<Miner>();
        for (int r = 0; r < 12; r++)
        {
            for (int k = 0; k < 15; k++)
            {
                fleet.Add(Miner($"r{r}-m{k}", $"r{r}", $"p{k % 3}", 80 + rng.Next(0, 140), quota: rng.NextDouble() < 0.5));
            }
        }

        double capacity = fleet.Sum(m => m.MeasuredHashrate.TerahashesPerSecond);
        var contracts = new List<Contract>();
        double sold = 0;
        for (int k = 0; sold < capacity * 0.75; k++)
        {
            double th = 10 * rng.Next(3, 120);
            contracts.Add(Contract($"c{k}", th, startDay: k));
            sold += th;
        }

        AllocationPlan plan = _allocator.Solve(fleet, contracts, None);
        AssertInvariants(plan, fleet);
        Assert.All(plan.Contracts, c => Assert.True(c.IsCovered, $"seed {seed}: {c.ContractId} short by {c.Shortfall}"));

        for (int round = 0; round < 5; round++)
        {
            // Fail a rack and a few miners, repair others: the fleet keeps over 80 % of its hashrate, 75 % is sold.
            string rack = $"r{rng.Next(12)}";
            fleet = fleet.With(_ => true, m => m with
            {
                Health = m.Rack == rack || rng.NextDouble() < 0.02 ? MinerHealth.Offline : MinerHealth.Healthy,
                MeasuredHashrate = m.MeasuredHashrate * (0.98 + (rng.NextDouble() * 0.04)),
            });
            if (fleet.Where(m => m.IsSellable).Sum(m => m.MeasuredHashrate.TerahashesPerSecond) < sold * 1.02)
            {
                continue;
            }

            plan = _allocator.Solve(fleet, contracts, plan.Assignments);
            AssertInvariants(plan, fleet);

            // Rounding up on miners without quota support fragments capacity, so a tight fleet may run short;
            // but a contract may only be short when no whole free miner was left that could have served it.
            ContractAllocation? shortOne = plan.Contracts.FirstOrDefault(c => c.Shortfall.TerahashesPerSecond > c.Target.TerahashesPerSecond * 0.005);
            if (shortOne is not null)
            {
                Miner? idle = fleet.FirstOrDefault(m => m.IsSellable && plan.Assignments[m.Id] is [{ Assignee: HousePool.AssigneeId, Fraction: >= 1 }]);
                Assert.True(idle is null, $"seed {seed} round {round}: {shortOne.ContractId} short by {shortOne.Shortfall} while {idle} is idle; moves: " + string.Join("; ", plan.Moves.Where(m => m.MinerId == idle?.Id || m.Reason.Contains(shortOne.ContractId + " ", StringComparison.Ordinal))));
            }

            AllocationPlan again = _allocator.Solve(fleet, contracts, plan.Assignments);
            Assert.True(again.Moves.Count == 0, $"seed {seed} round {round}: a second solve moved " + string.Join("; ", again.Moves.Take(5)));
        }
    }

    [Fact]
    public void Miner_gone_from_the_fleet_is_reported_and_its_contract_refilled()
    {
        List<Miner> fleet = Fleet(racks: 3, perRack: 3);
        Contract[] contracts = [Contract("c1", 300)];
        AllocationPlan before = _allocator.Solve(fleet, contracts, None);
        string gone = before.Assignments.First(a => a.Value.Any(s => s.Assignee == "c1")).Key;

        List<Miner> smaller = [.. fleet.Where(m => m.Id != gone)];
        AllocationPlan after = _allocator.Solve(smaller, contracts, before.Assignments);

        AllocationMove removed = Assert.Single(after.Moves, m => m.Kind == MoveReason.MinerGone);
        Assert.Equal(gone, removed.MinerId);
        Assert.Empty(removed.To);
        Assert.False(after.Assignments.ContainsKey(gone));
        Assert.True(Assert.Single(after.Contracts).IsCovered);
        Assert.Contains(after.Moves, m => m.Reason == $"contract c1 under target by 100.00 TH/s after miner {gone} no longer in the fleet");
        AssertInvariants(after, smaller);
    }

    [Fact]
    public void Stored_state_that_over_allocates_a_miner_is_corrected()
    {
        List<Miner> fleet = Fleet(racks: 2, perRack: 2);
        var corrupt = new Dictionary<string, IReadOnlyList<PoolShare>>
        {
            ["r1-m01"] = [new PoolShare("c1", 0.8), new PoolShare("c2", 0.8)],
        };

        AllocationPlan plan = _allocator.Solve(fleet, [Contract("c1", 80), Contract("c2", 80)], corrupt);

        AssertInvariants(plan, fleet);
        Assert.All(plan.Contracts, c => Assert.True(c.IsCovered));
        Assert.Contains(plan.Moves, m => m.MinerId == "r1-m01" && m.To.All(s => s.Assignee != "c2"));
    }

    [Fact]
    public void Duplicate_miner_ids_are_refused_with_the_id_in_the_message()
    {
        List<Miner> fleet = [Miner("m1", "r1", "p1", 100), Miner("m1", "r2", "p1", 100)];

        var ex = Assert.Throws<ArgumentException>(() => _allocator.Solve(fleet, [], None));

        Assert.Contains("'m1'", ex.Message, StringComparison.Ordinal);
    }
}
