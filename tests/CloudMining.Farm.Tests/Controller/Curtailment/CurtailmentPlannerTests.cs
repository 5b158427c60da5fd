using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

public sealed class CurtailmentPlannerTests
{
    private static readonly CurtailmentContract Protected = new("prot", CurtailmentTerms.Protected, TimeSpan.Zero);

    private static CurtailmentContract Curtailable(string id, double hoursLeft = 4) =>
        new(id, CurtailmentTerms.Allow(4, CurtailmentPeriod.Month), TimeSpan.FromHours(hoursLeft));

    /// <summary>A miner of <paramref name="th"/> TH/s drawing <paramref name="watts"/> W, sold as <paramref name="shares"/> (none: house).</summary>
    private static CurtailmentCandidate Miner(string id, double watts, double th = 100, bool sleep = true, bool target = false, double? minW = null, params (string Assignee, double Fraction)[] shares) =>
        new(id, "r1", watts, th * 1e12, sleep, target, minW, [.. shares.Select(s => new PoolShare(s.Assignee, s.Fraction))]);

    /// <summary>Plans with sleeping miners drawing nothing, so the figures below are whole watts; the sleep draw has its own test.</summary>
    private static CurtailmentPlan Plan(CurtailmentGoal goal, IReadOnlyList<CurtailmentCandidate> miners, params CurtailmentContract[] contracts) =>
        CurtailmentPlanner.Plan(goal, miners, contracts, new CurtailmentSettings(SleepDrawFraction: 0));

    [Fact]
    public void The_house_part_of_a_shared_miner_is_shed_by_a_power_target_that_keeps_its_contract_whole()
    {
        // s1: 60 % protected, 40 % house, takes a power target down to 1 kW. s2: the same split but no power target.
        CurtailmentCandidate[] fleet =
        [
            Miner("h1", 3000),
            Miner("s1", 3000, target: true, minW: 1000, shares: [("prot", 0.6), ("house", 0.4)]),
            Miner("s2", 3000, sleep: true, target: false, shares: [("prot", 0.6), ("house", 0.4)]),
        ];
        var settings = new CurtailmentSettings(SleepDrawFraction: 0.05);

        CurtailmentPlan plan = CurtailmentPlanner.Plan(CurtailmentGoal.WholeHouse("price"), fleet, [Protected], settings);

        // The contract needs 60 % of s1's hashrate: with 5 % of its power not hashing that is 0.05 + 0.6 × 0.95 = 62 % of
        // its power, plus a 3 % margin for the tuner: 65 %, 1950 W. Its quota grows to 0.6 / 0.6316 = 95.0 %.
        MinerCurtailment s1 = Assert.Single(plan.Steps, s => s.MinerId == "s1");
        Assert.Equal((CurtailmentAction.LowerPower, "house", CurtailmentStepKind.LoweredHousePart), (s1.Action, s1.Owner, s1.Kind));
        Assert.Equal(1950, s1.PowerTargetW);
        Assert.Equal(1050, s1.SavedW, 6);
        double kept = (0.65 - 0.05) / 0.95;
        Assert.Equal(100e12 * (1 - kept), s1.LostHs, 1e6);
        Assert.Equal([("prot", 0.95), ("house", 0.05)], s1.SharesWhileCurtailed!.Select(x => (x.Assignee, Math.Round(x.Fraction, 6))));
        Assert.True(0.95 * kept * 100e12 >= 0.6 * 100e12, "the protected contract would get less than its 60 TH/s");
        Assert.Contains("house part (40 %) of a miner shared with contracts", s1.Reason, StringComparison.Ordinal);
        Assert.Contains("prot 60 % → 95.0 %", s1.Reason, StringComparison.Ordinal);
        Assert.Contains("as low as its contracts' hashrate allows", s1.Reason, StringComparison.Ordinal);

        // Without a power target the shared miner is left alone (sleep would take the contract's part too); the house
        // pays for s1 alone, the contract nothing.
        Assert.DoesNotContain(plan.Steps, s => s.MinerId == "s2");
        AssigneeCurtailment house = Assert.Single(plan.Assignees, a => a.Assignee == "house");
        Assert.Equal((3000 * 0.95) + 1050, house.SavedW, 6);
        Assert.DoesNotContain(plan.Assignees, a => a.Assignee == "prot");
    }

    [Fact]
    public void A_sleeping_miner_still_draws_its_sleep_draw_so_sleep_saves_the_rest_and_more_miners_sleep_to_meet_the_goal()
    {
        CurtailmentCandidate[] fleet = [Miner("a", 4000, th: 100), Miner("b", 3000, th: 100), Miner("c", 2000, th: 100)];
        var settings = new CurtailmentSettings(SleepDrawFraction: 0.06);

        // 6.8 kW: a and b asleep save only 0.94 × 7 kW = 6.58 kW, so c sleeps too.
        CurtailmentPlan plan = CurtailmentPlanner.Plan(CurtailmentGoal.Reduce(6.8, null, "grid"), fleet, [], settings);

        Assert.Equal(["a", "b", "c"], plan.Steps.Select(s => s.MinerId));
        Assert.Equal([3760.0, 2820.0, 1880.0], plan.Steps.Select(s => Math.Round(s.SavedW, 6)));
        Assert.All(plan.Steps, s => Assert.Equal(100e12, s.LostHs));
        Assert.All(plan.Steps, s => Assert.Equal(100e12, s.MeasuredHashrateHs));
        Assert.Equal(8460, plan.ShedW, 6);
        Assert.Equal(0, plan.ShortfallW);
    }

    [Fact]
    public void Price_above_strike_sleeps_every_house_miner_and_leaves_every_contract_running()
    {
        CurtailmentCandidate[] fleet =
        [
            Miner("h1", 3000), Miner("h2", 3500, shares: ("house", 1)),
            Miner("c1", 3000, shares: ("prot", 1)), Miner("c2", 4000, shares: ("curt", 1)),
        ];

        CurtailmentPlan plan = Plan(CurtailmentGoal.WholeHouse("price 120 above the strike 80"), fleet, Protected, Curtailable("curt"));

        Assert.Equal(["h2", "h1"], plan.Steps.Select(s => s.MinerId));
        Assert.All(plan.Steps, s => Assert.Equal((CurtailmentAction.Sleep, "house"), (s.Action, s.Owner)));
        Assert.Equal(6500, plan.ShedW, 6);
        Assert.Contains("2 contracts untouched (2 miner(s)): this plan sheds the house only: curt (1), prot (1)", plan.Notes);
    }

    [Fact]
    public void House_miners_go_least_efficient_first_and_the_efficient_ones_keep_running()
    {
        // 100 TH/s each: 25, 40, 30 and 35 J/TH. Shedding 7 kW takes the 40 and the 35 J/TH machines.
        CurtailmentCandidate[] fleet = [Miner("a", 2500), Miner("b", 4000), Miner("c", 3000), Miner("d", 3500)];

        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(7, TimeSpan.FromHours(1), "grid event"), fleet);

        Assert.Equal(["b", "d"], plan.Steps.Select(s => s.MinerId));
        Assert.Equal(7500, plan.ShedW, 6);
        Assert.Equal(0, plan.ShortfallW);
        Assert.Contains("40.0 J/TH, least efficient first", plan.Steps[0].Reason, StringComparison.Ordinal);
        Assert.Contains("sleep: its firmware takes no power target", plan.Steps[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Power_targets_come_before_sleep_and_the_last_one_lowers_only_as_far_as_needed()
    {
        // Both take a power target down to 2000 W; 1.5 kW is met by lowering, nobody sleeps.
        CurtailmentCandidate[] fleet = [Miner("a", 3000, target: true, minW: 2000), Miner("b", 3500, target: true, minW: 2000)];

        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(1.5, null, "grid event"), fleet);

        MinerCurtailment step = Assert.Single(plan.Steps);
        Assert.Equal(("b", CurtailmentAction.LowerPower, 2000d), (step.MinerId, step.Action, step.PowerTargetW!.Value));
        Assert.Equal(1500, plan.ShedW, 6);

        // 3 kW: b to its floor (1.5 kW), then a lowered by the remaining 1 kW... and still no sleep.
        plan = Plan(CurtailmentGoal.Reduce(2.5, null, "grid event"), fleet);
        Assert.Equal([("b", CurtailmentAction.LowerPower, 2000d), ("a", CurtailmentAction.LowerPower, 2000d)], plan.Steps.Select(s => (s.MinerId, s.Action, s.PowerTargetW!.Value)));
        Assert.Equal(2500, plan.ShedW, 6);

        // More than every power target gives: the least efficient sleeps, from its lowered target.
        plan = Plan(CurtailmentGoal.Reduce(4, null, "grid event"), fleet);
        Assert.Equal([("b", CurtailmentAction.Sleep), ("a", CurtailmentAction.LowerPower)], plan.Steps.Select(s => (s.MinerId, s.Action)));
        Assert.Equal(3500 + 1000, plan.ShedW, 6);
    }

    [Fact]
    public void A_firmware_that_reports_no_floor_is_lowered_at_most_to_the_configured_fraction()
    {
        CurtailmentPlan plan = CurtailmentPlanner.Plan(CurtailmentGoal.Reduce(10, null, "grid"), [Miner("a", 3000, sleep: false, target: true)], [], new CurtailmentSettings(PowerTargetFloor: 0.8));

        MinerCurtailment step = Assert.Single(plan.Steps);
        Assert.Equal(2400, step.PowerTargetW);
        Assert.Equal(9400, plan.ShortfallW, 6);
        Assert.Contains(plan.Notes, n => n.Contains("9.4 kW short of the goal", StringComparison.Ordinal));
    }

    [Fact]
    public void Protected_contracts_are_never_touched_even_when_the_goal_is_not_met()
    {
        CurtailmentCandidate[] fleet =
        [
            Miner("h1", 3000),
            Miner("p1", 5000, shares: ("prot", 1)),

            // Half house, half protected: sleeping it would take the protected half too.
            Miner("mix", 6000, shares: [("house", 0.5), ("prot", 0.5)]),
            Miner("unknown", 5000, shares: ("not-in-the-book", 1)),
        ];

        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(20, null, "grid"), fleet, Protected);

        Assert.Equal(["h1"], plan.Steps.Select(s => s.MinerId));
        Assert.Equal(17000, plan.ShortfallW, 6);
        Assert.DoesNotContain(plan.Assignees, a => a.Assignee is "prot" or "not-in-the-book");
        Assert.Contains("2 contracts untouched (3 miner(s)): protected: its term does not allow curtailment: not-in-the-book (1), prot (2)", plan.Notes);
    }

    [Fact]
    public void Many_protected_contracts_make_one_note_naming_the_first_ten()
    {
        CurtailmentCandidate[] fleet = [Miner("h1", 3000), .. Enumerable.Range(0, 25).Select(i => Miner($"p{i:00}", 3000, shares: ($"k{i:00}", 1)))];

        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(100, null, "grid"), fleet);

        Assert.Equal(
            "25 contracts untouched (25 miner(s)): protected: its term does not allow curtailment: k00 (1), k01 (1), k02 (1), k03 (1), k04 (1), k05 (1), k06 (1), k07 (1), k08 (1), k09 (1) and 15 more",
            plan.Notes[0]);
    }

    [Fact]
    public void Curtailable_contracts_are_touched_only_after_the_house_ran_out_and_then_pro_rata()
    {
        // House: 6 kW. Contract A: 4 miners × 3 kW (12 kW), contract B: 4 miners × 1.5 kW (6 kW). Goal 15 kW:
        // the house gives 6, the remaining 9 kW split 2:1 by measured power → A 6 kW, B 3 kW.
        var fleet = new List<CurtailmentCandidate> { Miner("h1", 3000), Miner("h2", 3000) };
        for (int i = 1; i <= 4; i++)
        {
            fleet.Add(Miner($"a{i}", 3000, th: 100 + i, shares: ("A", 1)));
            fleet.Add(Miner($"b{i}", 1500, th: 50 + i, shares: ("B", 1)));
        }

        fleet.Add(Miner("p1", 9000, shares: ("prot", 1)));

        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(15, TimeSpan.FromHours(1), "grid"), fleet, Curtailable("A"), Curtailable("B"), Protected);

        Assert.Equal(["h1", "h2"], plan.Steps.Take(2).Select(s => s.MinerId).Order(StringComparer.Ordinal));
        Assert.All(plan.Steps.Skip(2), s => Assert.NotEqual("house", s.Owner));
        Assert.Equal(6000, plan.Assignees.Single(a => a.Assignee == "A").SavedW, 6);
        Assert.Equal(3000, plan.Assignees.Single(a => a.Assignee == "B").SavedW, 6);
        Assert.Equal(15000, plan.ShedW, 6);
        Assert.DoesNotContain(plan.Steps, s => s.MinerId == "p1");

        // Within a contract, least efficient first: a1 (29.7 J/TH) before a4 (28.8 J/TH).
        Assert.Equal(["a1", "a2"], plan.Steps.Where(s => s.Owner == "A").Select(s => s.MinerId));
        Assert.Contains("its pro-rata part 6.0 kW of 9.0 kW", plan.Steps.First(s => s.Owner == "A").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shared_miner_lowered_for_the_house_and_then_shed_for_its_contract_names_the_contract_in_its_reason()
    {
        // s1: 60 % curtailable contract A, 40 % house, takes a power target down to 1 kW. The house alone cannot shed
        // 2.5 kW: its part of s1 first (a power target that keeps A whole), then A's round sheds s1 further.
        CurtailmentCandidate[] fleet = [Miner("s1", 3000, target: true, minW: 1000, shares: [("A", 0.6), ("house", 0.4)])];

        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(2.5, TimeSpan.FromHours(1), "grid"), fleet, Curtailable("A"));

        MinerCurtailment s1 = Assert.Single(plan.Steps);
        Assert.Equal("A", s1.Owner);
        Assert.StartsWith("contract A is curtailable", s1.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("; ;", s1.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_whose_allowance_does_not_cover_the_event_counts_as_protected()
    {
        CurtailmentCandidate[] fleet = [Miner("a1", 3000, shares: ("A", 1)), Miner("b1", 3000, shares: ("B", 1))];

        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(3, TimeSpan.FromHours(3), "grid"), fleet, Curtailable("A", hoursLeft: 1), Curtailable("B", hoursLeft: 5));

        Assert.Equal(["b1"], plan.Steps.Select(s => s.MinerId));
        Assert.Contains(plan.Notes, n => n.Contains("contract A untouched (1 miner(s)): curtailable up to 4 h per month, but only 1 h are left this month and the event lasts 3 h", StringComparison.Ordinal));
    }

    [Fact]
    public void Demand_response_target_is_met_by_measured_power_when_the_fleet_can_give_it()
    {
        var random = new Random(14);
        var fleet = new List<CurtailmentCandidate>();
        for (int i = 0; i < 300; i++)
        {
            string? owner = (i % 3) switch { 0 => null, 1 => "A", _ => "prot" };
            double watts = 2500 + random.Next(0, 1500);
            fleet.Add(Miner($"m{i:000}", watts, th: 80 + random.Next(0, 40), target: i % 2 == 0, minW: watts * 0.6, shares: owner is null ? [] : [(owner, 1d)]));
        }

        double measured = fleet.Sum(m => m.PowerW);
        double sheddable = fleet.Where(m => !m.Shares.Any(s => s.Assignee == "prot")).Sum(m => m.PowerW);
        CurtailmentPlan plan = Plan(CurtailmentGoal.Reduce(sheddable * 0.8 / 1000, TimeSpan.FromHours(1), "grid"), fleet, Curtailable("A"), Protected);

        // The site's measured power after the plan is at or below the target; protected miners all keep running.
        double after = measured - plan.ShedW;
        Assert.True(after <= measured - (sheddable * 0.8) + 1e-6, $"after {after} W, target {measured - (sheddable * 0.8)} W");
        Assert.Equal(0, plan.ShortfallW);
        Assert.DoesNotContain(plan.Steps, s => fleet.Single(m => m.MinerId == s.MinerId).Shares.Any(x => x.Assignee == "prot"));
        double houseRoom = fleet.Where(m => m.Shares.Count == 0).Sum(m => m.PowerW);
        Assert.Equal(houseRoom, plan.Assignees.Single(a => a.Assignee == "house").SavedW, 3);
    }

    [Fact]
    public void The_plan_does_not_depend_on_the_order_the_fleet_was_read_in()
    {
        CurtailmentCandidate[] fleet = [Miner("a", 3000), Miner("b", 3000), Miner("c", 3200, target: true), Miner("d", 2900, shares: ("A", 1))];
        CurtailmentGoal goal = CurtailmentGoal.Reduce(5, null, "grid");

        CurtailmentPlan one = Plan(goal, fleet, Curtailable("A"));
        CurtailmentPlan two = Plan(goal, [.. fleet.Reverse()], Curtailable("A"));

        Assert.Equal(one.Steps, two.Steps);
    }

    [Fact]
    public void Miners_that_can_neither_sleep_nor_lower_power_are_named_and_left_running()
    {
        CurtailmentPlan plan = Plan(CurtailmentGoal.WholeHouse("price"), [Miner("a", 3000, sleep: false), Miner("b", 0)]);

        Assert.Empty(plan.Steps);
        Assert.Contains("1 miner(s) cannot be curtailed: their agents report neither sleep/resume nor a power target", plan.Notes);
        Assert.Contains("1 miner(s) left out: no measured power or hashrate", plan.Notes);
    }
}
