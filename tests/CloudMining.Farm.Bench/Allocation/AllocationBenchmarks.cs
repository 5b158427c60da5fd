using BenchmarkDotNet.Attributes;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Bench.Allocation;

/// <summary>Allocator at farm scale: 100,000 miners and 10,000 contracts, solved from scratch and rebalanced after 1 % of miners fail.</summary>
[MemoryDiagnoser]
public class AllocationBenchmarks
{
    private const int Racks = 2_500;
    private const int MinersPerRack = 40;
    private const int ContractCount = 10_000;

    private static readonly double[] ModelsTerahashes = [100, 110, 120, 140, 200];

    private readonly Allocator _allocator = new();
    private List<Miner> _fleet = [];
    private List<Miner> _fleetAfterFailures = [];
    private List<Contract> _contracts = [];
    private IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> _baseline = new Dictionary<string, IReadOnlyList<PoolShare>>();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _fleet = new List<Miner>(Racks * MinersPerRack);
        for (int r = 0; r < Racks; r++)
        {
            for (int k = 0; k < MinersPerRack; k++)
            {
                double th = ModelsTerahashes[rng.Next(ModelsTerahashes.Length)] * (0.97 + (rng.NextDouble() * 0.05));
                bool quota = rng.NextDouble() < 0.6;
                _fleet.Add(new Miner($"r{r:0000}-m{k:00}", $"r{r:0000}", $"r{r:0000}-pdu{k % 2}", quota ? "braiins-os" : "antminer-stock", quota, Hashrate.FromTerahashes(th), MinerHealth.Healthy, false));
            }
        }

        double capacity = _fleet.Sum(m => m.MeasuredHashrate.TerahashesPerSecond);
        double[] raw = [.. Enumerable.Range(0, ContractCount).Select(_ => 100 + (rng.NextDouble() * 2100))];

        // Sell 90 % of measured capacity, in whole 10 TH/s units, so a 1 % failure is covered by the unsold 10 %.
        double scale = capacity * 0.9 / raw.Sum();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        PoolAccount pool = PoolAccount.Create("stratum+tcp://btc.pool.example:3333", "acct.w");
        FeeTerms fees = FeeTerms.Create(0.05m, true);
        _contracts = [.. raw.Select((t, i) => Contract.Create(
            $"c{i:00000}",
            $"customer{i % 997}",
            Hashrate.FromTerahashes(Math.Max(10, Math.Floor(t * scale / 10) * 10)),
            pool,
            ContractTerm.Fixed(start.AddMinutes(i), start.AddYears(1)),
            fees))];

        _baseline = _allocator.Solve(_fleet, _contracts, new Dictionary<string, IReadOnlyList<PoolShare>>()).Assignments;

        var failRng = new Random(7);
        var failed = new HashSet<int>();
        while (failed.Count < _fleet.Count / 100)
        {
            failed.Add(failRng.Next(_fleet.Count));
        }

        _fleetAfterFailures = [.. _fleet.Select((m, i) => failed.Contains(i) ? m with { Health = MinerHealth.Offline } : m)];

        AllocationPlan rebalance = _allocator.Solve(_fleetAfterFailures, _contracts, _baseline);
        Console.WriteLine(
            $"// Rebalance after {failed.Count} failed miners: {rebalance.PoolSwitches} pool switches " +
            $"({rebalance.Moves.Count(m => m.Kind == MoveReason.MinerUnhealthy)} failed miners to house, " +
            $"{rebalance.Moves.Count(m => m.Kind == MoveReason.ContractUnderTarget)} replacements), " +
            $"{rebalance.QuotaAdjustments} quota adjustments, shortfall {rebalance.TotalShortfall}, " +
            $"sold {_contracts.Sum(c => c.Target.TerahashesPerSecond):F0} TH/s of {capacity:F0} TH/s measured");
    }

    [Benchmark]
    public AllocationPlan Full_solve_100k_miners_10k_contracts() =>
        _allocator.Solve(_fleet, _contracts, new Dictionary<string, IReadOnlyList<PoolShare>>());

    [Benchmark]
    public AllocationPlan Rebalance_after_1_percent_of_miners_fail() =>
        _allocator.Solve(_fleetAfterFailures, _contracts, _baseline);
}
