using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Engine;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

/// <summary>
/// A contract's miners asleep by the curtailment plan are curtailed, not failed: the allocator keeps them, proof of
/// delivery does not rebalance, and the hourly ledger books the hashrate the plan took as curtailment, not shortfall.
/// The engine on a fake clock, its miners simulated the way an agent carries the plan out.
/// </summary>
public sealed class PlannedCurtailmentDeliveryTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_contract_miner_asleep_by_plan_keeps_its_allocation_triggers_no_rebalance_and_books_no_shortfall()
    {
        await using EngineFarm farm = await ServingCurtailableAsync();
        ContractView before = (await farm.Engine.GetContractAsync("curt", CancellationToken.None))!;
        Assert.InRange(before.DeliveredHs!.Value / 200e12, 0.95, 1.05);
        HashSet<string> serving = [.. before.Shares.Select(s => s.MinerId)];

        // The grid asks for more than the site draws: the house sleeps, then the curtailable contract.
        await farm.Engine.ApplyCurtailmentAsync(new CurtailmentRequest(ReduceKw: 1000, DurationMinutes: 180), CancellationToken.None);
        DateTimeOffset hour = HourlyLedger.HourOf(farm.Clock.GetUtcNow()).AddHours(1);
        while (farm.Clock.GetUtcNow() < hour.AddHours(1).AddMinutes(2))
        {
            CarryOutSleeps(farm);
            await farm.RunAsync(Step, Step);
        }

        IReadOnlyDictionary<string, MinerCurtailTarget> targets = farm.Engine.Curtailment.Targets();
        Assert.All(serving, id => Assert.Equal(CurtailAction.Sleep, targets.GetValueOrDefault(id)?.Action));
        Assert.All(serving, id => Assert.Equal(0, farm.Miners[id].HashrateHs));

        // Over an hour with its miners asleep: no rebalance, the same miners carry it, its allocation is whole.
        Assert.Equal(0, farm.Engine.ProofRebalances);
        ContractView during = (await farm.Engine.GetContractAsync("curt", CancellationToken.None))!;
        Assert.Equal(serving.Order(StringComparer.Ordinal), during.Shares.Select(s => s.MinerId).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(200e12, during.AllocatedHs, 200e12 * 0.01);

        // The hour it slept through: nothing delivered, and no shortfall (the curtailment ledger has the TH·h).
        LedgerEntry row = Assert.Single(await farm.Engine.GetLedgerAsync("curt", hour, hour.AddHours(1), CancellationToken.None));
        Assert.Equal(200, row.TargetTerahashHours, 3);
        Assert.True(row.DeliveredTerahashHours < 1, row.ToString());
        Assert.True(row.ShortfallTerahashHours < 200 * 0.01, row.ToString());
    }

    [Fact]
    public async Task A_miner_that_dies_while_asleep_by_plan_counts_as_dead_not_as_planned()
    {
        await using EngineFarm farm = await ServingCurtailableAsync();
        await farm.Engine.ApplyCurtailmentAsync(new CurtailmentRequest(ReduceKw: 1000, DurationMinutes: 300), CancellationToken.None);
        async Task SleepAsync(TimeSpan span)
        {
            DateTimeOffset until = farm.Clock.GetUtcNow() + span;
            while (farm.Clock.GetUtcNow() < until)
            {
                CarryOutSleeps(farm);
                await farm.RunAsync(Step, Step);
            }
        }

        await SleepAsync(TimeSpan.FromMinutes(125));
        ContractView during = (await farm.Engine.GetContractAsync("curt", CancellationToken.None))!;
        string victim = during.Shares.Select(s => s.MinerId).Order(StringComparer.Ordinal)
            .First(id => farm.Engine.Curtailment.Targets().GetValueOrDefault(id)?.Action == CurtailAction.Sleep);

        // Asleep, it dies: its agent reports it unreachable and its telemetry stops.
        farm.Miners[victim].On = false;
        farm.Fleet.Apply(new MinerStatePayload
        {
            Publisher = $"agent-{EngineFarm.Site}-{farm.Miners[victim].Rack}", Seq = 1_000_000, Timestamp = farm.Clock.GetUtcNow(), Site = EngineFarm.Site,
            Rack = farm.Miners[victim].Rack, MinerId = victim, State = MinerState.Unreachable, PreviousState = MinerState.Idle, Reason = "no answer on 4028",
        });
        await SleepAsync(TimeSpan.FromMinutes(45));

        // It no longer counts as the healthy miner it was: the contract's shares leave it, the others stay asleep by plan.
        ContractView after = (await farm.Engine.GetContractAsync("curt", CancellationToken.None))!;
        Assert.DoesNotContain(victim, after.Shares.Select(s => s.MinerId));
        Assert.All(after.Shares, s => Assert.Equal(CurtailAction.Sleep, farm.Engine.Curtailment.Targets().GetValueOrDefault(s.MinerId)?.Action));
    }

    /// <summary>
    /// The engine (proof hold 30 min) over 2 racks of 3 antminers of 100 TH/s, serving the curtailable contract "curt"
    /// (200 TH/s, 6 h a day) for 20 minutes.
    /// </summary>
    private static async Task<EngineFarm> ServingCurtailableAsync()
    {
        EngineFarm farm = await EngineFarm.StartAsync();
        try
        {
            farm.WithMiners(racks: 2, perRack: 3, th: 100, profile: "antminer");
            await farm.RunAsync(Step, Step);
            await farm.Engine.AddContractAsync(
                new NewContractRequest("curt", "cust-curt", "200 TH/s", "stratum+tcp://customer.pool.example:3333", "acct.curt", farm.Clock.GetUtcNow(), farm.Clock.GetUtcNow().AddDays(30), null, 0.24m, true, 6, "day"),
                CancellationToken.None);
            await farm.RunAsync(TimeSpan.FromMinutes(20), Step);
            return farm;
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    /// <summary>The agents carry the plan out: asleep, a miner hashes nothing and draws a little.</summary>
    private static void CarryOutSleeps(EngineFarm farm)
    {
        foreach (MinerCurtailTarget t in farm.Engine.Curtailment.Targets().Values.Where(t => t.Action == CurtailAction.Sleep))
        {
            farm.Miners[t.MinerId].HashrateHs = 0;
            farm.Miners[t.MinerId].Watts = 150;
        }
    }
}
