using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

/// <summary>
/// `farmctl curtail plan --price 120 --strike 80` on a demo-like fleet: what the planner's rules say about power targets.
/// Price above the strike stops the whole house: a house miner that can sleep sleeps (its power target is only a step on
/// the way), one that takes only a power target goes to its floor; a partial goal lowers power targets before anything sleeps.
/// </summary>
public sealed class DemoFleetPlanTests
{
    private static readonly CurtailmentContract Prot = new("prot", CurtailmentTerms.Protected, TimeSpan.Zero);

    /// <summary>Eight house miners (two sleep only, four sleep and a power target, two a power target only) and four protected miners.</summary>
    private static IReadOnlyList<CurtailmentCandidate> Fleet() =>
    [
        new("h-s1", "r1", 3400, 100e12, true, false, null, []),
        new("h-s2", "r1", 3300, 100e12, true, false, null, []),
        new("h-st1", "r1", 3600, 100e12, true, true, 2200, []),
        new("h-st2", "r2", 3500, 100e12, true, true, null, []),
        new("h-st3", "r2", 3200, 100e12, true, true, 2000, [new PoolShare(HousePool.AssigneeId, 1)]),
        new("h-st4", "r2", 3100, 100e12, true, true, 2000, []),
        new("h-t1", "r3", 3800, 100e12, false, true, 2500, []),
        new("h-t2", "r3", 3000, 100e12, false, true, null, []),
        new("p1", "r3", 3000, 100e12, true, true, 2000, [new PoolShare("prot", 1)]),
        new("p2", "r4", 3000, 100e12, true, true, 2000, [new PoolShare("prot", 1)]),
        new("p3", "r4", 3000, 100e12, true, false, null, [new PoolShare("prot", 1)]),
        new("p4", "r4", 3000, 100e12, true, false, null, [new PoolShare("prot", 1)]),
    ];

    [Fact]
    public void Price_above_the_strike_sleeps_every_house_miner_that_can_and_takes_the_others_to_their_power_target_floor()
    {
        CurtailmentPlan plan = CurtailmentPlanner.Plan(CurtailmentGoal.WholeHouse("price 120 above the strike 80"), Fleet(), [Prot]);

        Assert.Equal(8, plan.Steps.Count);
        Assert.DoesNotContain(plan.Steps, s => s.MinerId.StartsWith('p'));
        Assert.All(plan.Steps.Where(s => s.MinerId.StartsWith("h-s", StringComparison.Ordinal)), s => Assert.Equal((CurtailmentAction.Sleep, CurtailmentStepKind.SleptWholeHouse), (s.Action, s.Kind)));
        MinerCurtailment t1 = plan.Steps.Single(s => s.MinerId == "h-t1");
        MinerCurtailment t2 = plan.Steps.Single(s => s.MinerId == "h-t2");
        Assert.Equal((CurtailmentAction.LowerPower, CurtailmentStepKind.LoweredToFloor, 2500d), (t1.Action, t1.Kind, t1.PowerTargetW!.Value));
        Assert.Equal((CurtailmentAction.LowerPower, CurtailmentStepKind.LoweredToFloor, 2100d), (t2.Action, t2.Kind, t2.PowerTargetW!.Value));
        Assert.Contains("(its floor) before sleeping anything", t1.Reason, StringComparison.Ordinal);
        Assert.Contains("sleep: the whole house stops", plan.Steps.Single(s => s.MinerId == "h-st1").Reason, StringComparison.Ordinal);

        // What it sheds is the house's power, not the site's: 23.1 kW asleep less 5 % sleep draw, 1.3 + 0.9 kW lowered.
        double house = Fleet().Where(m => !m.MinerId.StartsWith('p')).Sum(m => m.PowerW);
        Assert.Equal((20_100 * 0.95) + 1300 + 900, plan.ShedW, 6);
        Assert.True(plan.ShedW < house && house < plan.MeasuredPowerW, "the price plan sheds the house only; the site's measured power includes the contracts");
        Assert.Contains(plan.Notes, n => n.StartsWith("contract prot untouched (4 miner(s)): this plan sheds the house only", StringComparison.Ordinal));
    }

    [Fact]
    public void A_partial_goal_lowers_house_power_targets_before_anything_sleeps()
    {
        // 4 kW: the power targets of the house (least efficient first) shed it without sleeping anything.
        CurtailmentPlan plan = CurtailmentPlanner.Plan(CurtailmentGoal.Reduce(4, TimeSpan.FromHours(1), "dr"), Fleet(), [Prot]);

        Assert.NotEmpty(plan.Steps);
        Assert.All(plan.Steps, s => Assert.Equal(CurtailmentAction.LowerPower, s.Action));
        Assert.Equal(4000, plan.ShedW, 6);
        Assert.Equal(0, plan.ShortfallW);
    }
}
