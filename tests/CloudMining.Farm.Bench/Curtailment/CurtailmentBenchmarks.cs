using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;

namespace CloudMining.Farm.Bench.Curtailment;

/// <summary>
/// The curtailment planner at farm scale: 100,000 miners (2,500 racks × 40) and 10,000 contracts, 90 % of the miners
/// sold (a fifth of them as quota splits between two contracts), a third of the contracts curtailable. The planner it
/// replaced was measured beside it until 1c7a351 (docs/benchmarks.md, "Curtailment"): an old-vs-new comparison builds
/// that commit from `git archive` and runs the same command on both.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CurtailmentBenchmarks
{
    private const int Racks = 2_500;
    private const int MinersPerRack = 40;
    private const int ContractCount = 10_000;

    private List<CurtailmentCandidate> _fleet = [];
    private List<CurtailmentContract> _contracts = [];
    private CurtailmentGoal _demandResponse = CurtailmentGoal.Reduce(1, null, "bench");

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(14);
        _contracts = [.. Enumerable.Range(0, ContractCount).Select(i => i % 3 == 0
            ? new CurtailmentContract($"c{i:00000}", CurtailmentTerms.Allow(8, CurtailmentPeriod.Month), TimeSpan.FromHours(8))
            : new CurtailmentContract($"c{i:00000}", CurtailmentTerms.Protected, TimeSpan.Zero))];
        _fleet = new List<CurtailmentCandidate>(Racks * MinersPerRack);
        double housePower = 0;
        double curtailablePower = 0;
        for (int r = 0; r < Racks; r++)
        {
            for (int k = 0; k < MinersPerRack; k++)
            {
                double th = 100 + (rng.NextDouble() * 100);
                double watts = th * (18 + (rng.NextDouble() * 20));
                IReadOnlyList<PoolShare> shares;
                double roll = rng.NextDouble();
                int c = rng.Next(ContractCount);
                if (roll < 0.1)
                {
                    shares = [];
                    housePower += watts;
                }
                else if (roll < 0.28)
                {
                    shares = [new PoolShare($"c{c:00000}", 0.6), new PoolShare($"c{(c + 1) % ContractCount:00000}", 0.4)];
                }
                else
                {
                    shares = [new PoolShare($"c{c:00000}", 1)];
                    curtailablePower += c % 3 == 0 ? watts : 0;
                }

                bool target = rng.NextDouble() < 0.5;
                _fleet.Add(new CurtailmentCandidate($"r{r:0000}-m{k:00}", $"r{r:0000}", watts, th * 1e12, rng.NextDouble() < 0.9, target, target ? watts * 0.6 : null, shares));
            }
        }

        // Everything the house draws and a fifth of what the curtailable contracts draw: the pro-rata phase runs.
        _demandResponse = CurtailmentGoal.Reduce((housePower + (curtailablePower * 0.2)) / 1000, TimeSpan.FromHours(2), "bench");
        CurtailmentPlan plan = CurtailmentPlanner.Plan(_demandResponse, _fleet, _contracts);
        Console.WriteLine(
            $"// Demand response {_demandResponse.ShedW / 1e6:F1} MW of {plan.MeasuredPowerW / 1e6:F1} MW: {plan.Steps.Count} steps " +
            $"({plan.Steps.Count(s => s.Action == CurtailmentAction.Sleep)} sleep), {plan.Assignees.Count - 1} contracts touched, " +
            $"shed {plan.ShedW / 1e6:F2} MW, short {plan.ShortfallW / 1e6:F2} MW");

        // On a shared, loaded build box wall time mostly measures the neighbours: also print the process CPU time per
        // plan (single-threaded code; GC threads included, so an upper bound), after a warm-up.
        Cpu("price, whole house", () => CurtailmentPlanner.Plan(CurtailmentGoal.WholeHouse("bench"), _fleet, _contracts));
        Cpu("demand response", () => CurtailmentPlanner.Plan(_demandResponse, _fleet, _contracts));
    }

    private static void Cpu(string what, Func<CurtailmentPlan> plan)
    {
        for (int i = 0; i < 5; i++)
        {
            plan();
        }

        const int Runs = 20;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        TimeSpan before = process.TotalProcessorTime;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < Runs; i++)
        {
            plan();
        }

        wall.Stop();
        process.Refresh();
        double cpu = (process.TotalProcessorTime - before).TotalMilliseconds / Runs;
        Console.WriteLine($"// {what}: {cpu:F1} ms CPU per plan, {wall.Elapsed.TotalMilliseconds / Runs:F1} ms wall (mean of {Runs})");
    }

    [Benchmark]
    [BenchmarkCategory("price")]
    public CurtailmentPlan Price_above_strike_whole_house_100k_miners_10k_contracts() =>
        CurtailmentPlanner.Plan(CurtailmentGoal.WholeHouse("bench"), _fleet, _contracts);

    [Benchmark]
    [BenchmarkCategory("demand response")]
    public CurtailmentPlan Demand_response_into_curtailable_contracts_100k_miners_10k_contracts() =>
        CurtailmentPlanner.Plan(_demandResponse, _fleet, _contracts);
}
