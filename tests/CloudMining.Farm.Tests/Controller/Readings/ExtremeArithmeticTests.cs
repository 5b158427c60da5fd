using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using TelemetryPool = CloudMining.Farm.Shared.Wire.TelemetryPool;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Shared.Units;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;
using FleetMiner = CloudMining.Farm.Controller.Fleet.Miner;
using SoldContract = CloudMining.Farm.Controller.Contracts.Contract;

namespace CloudMining.Farm.Tests.Controller.Readings;

/// <summary>
/// Property tests over extreme but finite figures (seeded, many cases): capacity and allocation never overflow, never
/// throw, never loop beyond their bound, and never count more than the plausible readings hold.
/// </summary>
public sealed class ExtremeArithmeticTests
{
    private const int Cases = 1500;
    private static readonly DateTimeOffset Now = Epoch.AddDays(10);

    private static readonly double[] Extremes =
    [
        0, double.Epsilon, 1e-300, 1e-9, 1, 1e6, 13.5e12, 100e12, 104e12, 1.99e15, 2e15, 2.01e15, 1e18, 1.0000001e18, 1e21, 1e100, 1e300,
        double.MaxValue, -1, -13.5e12, -1e300, -double.MaxValue,
    ];

    private static double Figure(Random random) => random.Next(3) switch
    {
        0 => Extremes[random.Next(Extremes.Length)],
        1 => Math.Pow(10, random.NextDouble() * 308) * (random.Next(10) == 0 ? -1 : 1),
        _ => random.NextDouble() * 300e12,
    };

    private static MinerLiveState Reading(Random random, int k) => new()
    {
        Site = "s1",
        Rack = $"r{random.Next(1, 5)}",
        MinerId = $"m{k:000}",
        Profile = "braiins-os",
        HashrateAverageHs = random.Next(8) == 0 ? null : Figure(random),
        Hashrate5sHs = Figure(random),
        HashrateNominalHs = random.Next(3) == 0 ? Figure(random) : null,
        PowerW = random.Next(4) == 0 ? Figure(random) : 3000,
        MaxChipTempC = random.Next(6) == 0 ? Figure(random) : 70,
        TelemetryAt = Now,
    };

    private static SoldContract SomeContract(Random random, int k)
    {
        double target = Math.Abs(Figure(random));
        target = target is > 0 and < double.PositiveInfinity ? target : 1e12;
        return SoldContract.Create($"c{k}", "customer", new Hashrate(target), PoolAccount.Create("stratum+tcp://btc.pool.example:3333", $"acct.c{k}"), ContractTerm.Fixed(Epoch.AddDays(k), Epoch.AddDays(365)), FeeTerms.Create(0, electricityAtCost: false));
    }

    [Fact]
    public void Capacity_from_the_judged_fleet_never_exceeds_the_plausible_readings_nor_overflows()
    {
        var random = new Random(20261205);
        var envelope = new ReadingEnvelope();
        var unitSizes = new[] { Hashrate.FromTerahashes(10), new Hashrate(1), new Hashrate(1e-300), Hashrate.FromTerahashes(1e9) };
        for (int n = 0; n < Cases; n++)
        {
            var suspects = new SuspectMiners();
            MinerLiveState[] readings = [.. Enumerable.Range(0, random.Next(0, 40)).Select(k => Reading(random, k))];
            List<FleetMiner> fleet = [.. readings.Select(r => FleetReader.ToMiner(r, false, random.Next(10) == 0, true, Now, TimeSpan.FromMinutes(1), suspects.Observe(r, Now)))];
            SoldContract[] sold = [.. Enumerable.Range(0, random.Next(0, 6)).Select(k => SomeContract(random, k))];
            var calculator = new CapacityCalculator(new CapacityOptions { UnitSize = unitSizes[random.Next(unitSizes.Length)], ReservePercent = random.Next(0, 101) });

            CapacitySnapshot c = calculator.Compute(fleet, sold);

            double plausible = 0;
            foreach (MinerLiveState r in readings)
            {
                if (envelope.Problem(r) is null && (r.HashrateAverageHs ?? r.Hashrate5sHs) is { } hs && hs > 0)
                {
                    plausible += hs;
                }
            }

            Assert.InRange(c.UnitsTotal, 0, CapacityCalculator.MaxUnits);
            Assert.InRange(c.UnitsSold, 0, CapacityCalculator.MaxUnits);
            Assert.InRange(c.UnitsFree, 0, CapacityCalculator.MaxUnits);
            Assert.True(double.IsFinite(c.MeasuredHealthy.HashesPerSecond) && c.MeasuredHealthy.HashesPerSecond <= plausible, $"case {n}: measured {c.MeasuredHealthy.HashesPerSecond} > plausible {plausible}");
            Assert.True(c.UnitsTotal <= Math.Min(CapacityCalculator.MaxUnits, Math.Floor(plausible / c.UnitSize.HashesPerSecond)), $"case {n}: {c.UnitsTotal} units from {plausible} H/s");
            foreach (SoldContract s in sold)
            {
                Assert.InRange(calculator.UnitsFor(s.Target), 1, CapacityCalculator.MaxUnits);
            }
        }
    }

    [Fact]
    public void Allocation_over_extreme_fleets_and_targets_stays_bounded_and_consistent()
    {
        var random = new Random(1205);
        var options = new AllocatorOptions();
        for (int n = 0; n < Cases; n++)
        {
            int count = random.Next(1, 40);
            List<FleetMiner> fleet = [.. Enumerable.Range(0, count).Select(k => new FleetMiner(
                $"m{k:000}", $"r{random.Next(1, 5)}", $"p{random.Next(2)}", "braiins-os", random.Next(3) != 0,
                new Hashrate(Math.Abs(Figure(random)) is var h && double.IsFinite(h) ? h : 0),
                random.Next(6) == 0 ? MinerHealth.Offline : MinerHealth.Healthy, random.Next(12) == 0))];
            SoldContract[] contracts = [.. Enumerable.Range(0, random.Next(1, 6)).Select(k => SomeContract(random, k))];

            var first = new AllocationRun(options, fleet, contracts, None);
            AllocationPlan plan = first.Execute();
            Assert.InRange(first.Steps, 0, contracts.Length * ((3L * count) + 3));
            Check(plan, fleet, n);

            // Solving again from the plan, with some miners gone wild, is just as bounded.
            List<FleetMiner> changed = fleet.With(_ => random.Next(4) == 0, m => m with { MeasuredHashrate = new Hashrate(Math.Abs(Figure(random)) is var h && double.IsFinite(h) ? h : 0) });
            var second = new AllocationRun(options, changed, contracts, plan.Assignments);
            Check(second.Execute(), changed, n);
            Assert.InRange(second.Steps, 0, contracts.Length * ((3L * count) + 3));
        }
    }

    [Fact]
    public void A_remainder_tiny_against_a_huge_quota_miner_takes_one_quota_step_instead_of_stalling()
    {
        // need/capacity = 2e-12: Math.Ceiling(x / 0.001 - 1e-6) was 0 and the quota loop never progressed.
        List<FleetMiner> fleet = [Miner("plain", "r1", "p1", 10, quota: false), new FleetMiner("huge", "r2", "p1", "braiins-os", true, new Hashrate(FleetMiner.HashrateLimitHs), MinerHealth.Healthy, false)];
        SoldContract contract = SoldContract.Create("c1", "customer", new Hashrate(10e12 + 2e6), PoolAccount.Create("stratum+tcp://btc.pool.example:3333", "acct.c1"), ContractTerm.Fixed(Epoch, Epoch.AddDays(365)), FeeTerms.Create(0, false));
        var run = new AllocationRun(new AllocatorOptions(), fleet, [contract], None);
        AllocationPlan plan = run.Execute();
        Assert.True(run.Steps <= 6, $"{run.Steps} steps");
        Assert.Equal(0.001, plan.Assignments["huge"].Single(s => s.Assignee == "c1").Fraction, 12);
        Assert.Equal(0.001, run.RoundUp(1e-300), 12);
        Assert.Equal(0.001, run.RoundUp(double.NaN), 12);
        Assert.Equal(1, run.RoundUp(double.PositiveInfinity));
    }

    [Fact]
    public async Task A_pool_counter_jump_to_1e300_is_not_credited_and_the_ledger_hour_still_closes()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 1, perRack: 3, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30));
        ContractView contract = await farm.AddContractAsync("c1", 100);
        await farm.RunAsync(TimeSpan.FromMinutes(2));
        string minerId = contract.Shares[0].MinerId;

        // The miner carrying the contract claims its pool accepted 1e300 difficulty since the last reading.
        SimMiner miner = farm.Miners[minerId];
        farm.Clock.Advance(TimeSpan.FromSeconds(10));
        farm.Fleet.Apply(miner.Telemetry(EngineFarm.Site, farm.Clock.GetUtcNow(), 1_000_000) with
        {
            Pools = [new TelemetryPool { Index = 0, Url = contract.PoolUrl, User = contract.Worker, DifficultyAccepted = 1e300, Accepted = 1 }],
        });
        await farm.Engine.TickAsync(CancellationToken.None);

        // Past the top of the hour: the ledger closes the hour (a credited 1e300 would overflow its decimal columns).
        await farm.RunAsync(TimeSpan.FromMinutes(65), TimeSpan.FromMinutes(1));
        IReadOnlyList<LedgerEntry> rows = await farm.Engine.GetLedgerAsync("c1", DateTimeOffset.UnixEpoch, farm.Clock.GetUtcNow().AddHours(1), CancellationToken.None);
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.InRange(r.DeliveredTerahashHours, 0, 1000));
    }

    private static void Check(AllocationPlan plan, IReadOnlyList<FleetMiner> fleet, int n)
    {
        var byId = fleet.ToDictionary(m => m.Id);
        foreach ((string minerId, IReadOnlyList<PoolShare> shares) in plan.Assignments)
        {
            Assert.True(shares.Sum(s => s.Fraction) <= 1 + 1e-9, $"case {n}: {minerId} over-allocated");
            Assert.All(shares, s => Assert.True(double.IsFinite(s.Fraction) && s.Fraction > 0, $"case {n}: {minerId} share {s}"));
            Assert.All(shares.Where(s => s.Assignee != HousePool.AssigneeId), s => Assert.True(byId[minerId].IsSellable, $"case {n}: unsellable {minerId} carries {s.Assignee}"));
        }

        Assert.True(double.IsFinite(plan.TotalShortfall.HashesPerSecond));
        Assert.All(plan.Contracts, c => Assert.True(double.IsFinite(c.Allocated.HashesPerSecond) && double.IsFinite(c.Shortfall.HashesPerSecond), $"case {n}: {c}"));
    }
}
