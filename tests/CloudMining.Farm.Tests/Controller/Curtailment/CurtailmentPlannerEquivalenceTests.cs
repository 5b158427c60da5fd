using System.Globalization;
using System.Text;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Tests.Controller.Curtailment.Baseline;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

/// <summary>
/// The indexed planner against the one it replaced (kept as <see cref="BaselineCurtailmentPlanner"/>): on seeded random
/// fleets with every kind of miner the planner distinguishes, both give the same plan, field by field, to the last bit
/// of every double and the last character of every reason and note.
/// </summary>
public sealed class CurtailmentPlannerEquivalenceTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 14, 99, 2026];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_indexed_planner_gives_the_same_plans_as_the_one_it_replaced(int seed)
    {
        var rng = new Random(seed);
        (List<CurtailmentCandidate> fleet, List<CurtailmentContract> contracts, double housePowerW) = Fleet(rng, miners: 3000, contractCount: 300);
        var settings = new CurtailmentSettings(PowerTargetFloor: 0.6 + (rng.NextDouble() * 0.2), SleepDrawFraction: rng.NextDouble() * 0.08);
        CurtailmentGoal[] goals =
        [
            CurtailmentGoal.WholeHouse("price"),
            CurtailmentGoal.Reduce(housePowerW / 1000 * 0.4, null, "house only, in part"),
            CurtailmentGoal.Reduce(housePowerW / 1000 * 1.5, TimeSpan.FromHours(2), "into the contracts"),
            CurtailmentGoal.Reduce(housePowerW / 1000 * 3, TimeSpan.FromHours(5), "longer than some allowances"),
            CurtailmentGoal.Reduce(1e9, null, "more than the site draws"),
            new CurtailmentGoal(double.PositiveInfinity, false, null, "everything allowed"),
            CurtailmentGoal.Reduce(0, null, "nothing"),
        ];

        int steps = 0;
        foreach (CurtailmentGoal goal in goals)
        {
            CurtailmentPlan expected = BaselineCurtailmentPlanner.Plan(goal, fleet, contracts, settings);
            CurtailmentPlan actual = CurtailmentPlanner.Plan(goal, fleet, contracts, settings);
            Assert.Equal(Describe(expected), Describe(actual));
            steps += actual.Steps.Count;
        }

        // The fleets exercise what they are meant to: plans with steps, contracts touched, notes.
        Assert.True(steps > 1000, $"only {steps} steps in all plans");
    }

    [Fact]
    public void The_same_plans_whatever_order_the_fleet_and_contracts_come_in_and_with_repeated_ids()
    {
        var rng = new Random(7);
        (List<CurtailmentCandidate> fleet, List<CurtailmentContract> contracts, double housePowerW) = Fleet(rng, miners: 2000, contractCount: 150);
        // Repeated miners and contracts (the first stands), and shuffled input.
        fleet.AddRange(fleet.Take(50).Select(m => m with { PowerW = m.PowerW * 2 }));
        contracts.AddRange(contracts.Take(20).Select(c => c with { Terms = CurtailmentTerms.Protected }));
        CurtailmentCandidate[] shuffled = [.. fleet];
        rng.Shuffle(shuffled);
        CurtailmentGoal goal = CurtailmentGoal.Reduce(housePowerW / 1000 * 2, TimeSpan.FromHours(1), "grid");

        string expected = Describe(BaselineCurtailmentPlanner.Plan(goal, shuffled, contracts));
        Assert.Equal(expected, Describe(CurtailmentPlanner.Plan(goal, shuffled, contracts)));
        Assert.Equal(Describe(BaselineCurtailmentPlanner.Plan(goal, fleet, contracts)), Describe(CurtailmentPlanner.Plan(goal, fleet, contracts)));
    }

    /// <summary>
    /// A fleet with house miners, whole and split sales, house parts of shared miners, unknown contracts, miners without
    /// measurements, miners that can neither sleep nor take a power target, equal efficiencies (ties by id), and
    /// contracts protected, curtailable, with their allowance used up or shorter than some events.
    /// </summary>
    private static (List<CurtailmentCandidate> Fleet, List<CurtailmentContract> Contracts, double HousePowerW) Fleet(Random rng, int miners, int contractCount)
    {
        var contracts = new List<CurtailmentContract>(contractCount);
        for (int c = 0; c < contractCount; c++)
        {
            double roll = rng.NextDouble();
            contracts.Add(roll < 0.4
                ? new CurtailmentContract(Id(c), CurtailmentTerms.Protected, TimeSpan.Zero)
                : new CurtailmentContract(Id(c), CurtailmentTerms.Allow(8, CurtailmentPeriod.Month), roll < 0.5 ? TimeSpan.Zero : TimeSpan.FromHours(rng.Next(1, 9))));
        }

        var fleet = new List<CurtailmentCandidate>(miners);
        double house = 0;
        for (int k = 0; k < miners; k++)
        {
            double th = rng.NextDouble() < 0.05 ? 100 : 100 + (rng.NextDouble() * 100);
            double watts = rng.NextDouble() < 0.05 ? 3000 : th * (18 + (rng.NextDouble() * 20));
            double roll = rng.NextDouble();
            int c = rng.Next(contractCount + 5); // a few ids the contract list does not know
            IReadOnlyList<PoolShare> shares = roll switch
            {
                < 0.15 => [],
                < 0.2 => [new PoolShare(HousePool.AssigneeId, 1)],
                < 0.3 => [new PoolShare(Id(c), 0.6), new PoolShare(HousePool.AssigneeId, 0.4)],
                < 0.35 => [new PoolShare(Id(c), 0.5), new PoolShare(Id((c + 1) % contractCount), 0.5)],
                < 0.5 => [new PoolShare(Id(c), 0.6), new PoolShare(Id((c + 3) % contractCount), 0.4)],
                _ => [new PoolShare(Id(c), 1)],
            };
            bool target = rng.NextDouble() < 0.5;
            double? min = target && rng.NextDouble() < 0.7 ? watts * (0.5 + (rng.NextDouble() * 0.3)) : null;
            double hashrate = rng.NextDouble() < 0.01 ? 0 : th * 1e12;
            double power = rng.NextDouble() < 0.01 ? double.NaN : watts;
            bool sleep = rng.NextDouble() < 0.9;
            fleet.Add(new CurtailmentCandidate($"r{k % 37:00}-m{k:0000}", $"r{k % 37:00}", power, hashrate, sleep, target, min, shares));
            house += shares.Count == 0 || roll < 0.2 ? watts : 0;
        }

        return (fleet, contracts, house);

        static string Id(int c) => string.Create(CultureInfo.InvariantCulture, $"c{c:000}");
    }

    /// <summary>Every field of a plan as text, doubles in round-trip form.</summary>
    private static string Describe(CurtailmentPlan plan)
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"measured {plan.MeasuredPowerW:R} shed {plan.ShedW:R} short {plan.ShortfallW:R} steps {plan.Steps.Count}\n");
        foreach (MinerCurtailment s in plan.Steps)
        {
            b.Append(CultureInfo.InvariantCulture, $"{s.MinerId} {s.Rack} {s.Action} {s.PowerTargetW:R} {s.Owner} {s.MeasuredPowerW:R} {s.JoulesPerTerahash:R} {s.SavedW:R} {s.LostHs:R} {s.MeasuredHashrateHs:R} {s.Kind} [{s.Whose}] [{s.Reason}]");
            if (s.SharesWhileCurtailed is { } split)
            {
                b.Append(" split");
                foreach (PoolShare p in split)
                {
                    b.Append(CultureInfo.InvariantCulture, $" {p.Assignee}={p.Fraction:R}");
                }
            }

            b.Append('\n');
        }

        foreach (AssigneeCurtailment a in plan.Assignees)
        {
            b.Append(CultureInfo.InvariantCulture, $"{a.Assignee} {a.Curtailable} {a.Miners} {a.SavedW:R} {a.LostHs:R}\n");
        }

        foreach (string n in plan.Notes)
        {
            b.Append(n).Append('\n');
        }

        return b.ToString();
    }
}
