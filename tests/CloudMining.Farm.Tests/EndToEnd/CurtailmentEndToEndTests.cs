using System.Diagnostics;
using System.Text.Json.Nodes;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// Issue 14 on the whole system (mosquitto with the production ACL, simulated farm, three agents, the controller):
/// curtailment enforced through the desired state and the agents' write channels, verified by the simulated miners,
/// the simulated pools and the telemetry the controller receives. One protected and one curtailable contract are sold;
/// the rest is house hashrate. Strike 80/MWh, hysteresis 10, no minimum times (the gate's times are covered on a fake
/// clock in CurtailmentEnforcementTests), restore waves of 8 kW every 4 s.
/// </summary>
public sealed class CurtailmentEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan RestoreInterval = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Applied = TimeSpan.FromSeconds(60);
    private EndToEndFarm _farm = null!;
    private PoolAccount _protPool = null!;

    public async Task InitializeAsync()
    {
        _farm = await EndToEndFarm.StartAsync(controllerConfig: c => c["Curtailment"] = new JsonObject
        {
            ["Strike"] = 80,
            ["Hysteresis"] = 10,
            ["MinRunning"] = "00:00:00",
            ["MinCurtailed"] = "00:00:00",
            ["RestoreWaveKw"] = 8,
            ["RestoreInterval"] = "00:00:04",
        });
        CapacityView capacity = await ContractedFarmFixture.WaitForCapacityAsync(_farm);
        double unitTh = capacity.UnitSizeHs / 1e12;
        long free = capacity.UnitsFree;
        _protPool = PoolAccount.Create("stratum+tcp://pool-prot.e2e:3333", "prot.farm1");
        await _farm.Ops.AddContractAsync(new NewContractRequest("e2e-prot", "cust-prot", $"{Math.Max(1, (long)(free * 0.3)) * unitTh} TH/s", _protPool.Url, _protPool.Worker, null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), CancellationToken.None);
        await _farm.Ops.AddContractAsync(new NewContractRequest("e2e-curt", "cust-curt", $"{Math.Max(1, (long)(free * 0.2)) * unitTh} TH/s", "stratum+tcp://pool-curt.e2e:3333", "curt.farm1", null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true, 6, "day"), CancellationToken.None);
        Assert.True(await _farm.AllRacksAppliedAsync(ContractedFarmFixture.Converge), "the agents did not apply the allocation: " + await ContractedFarmFixture.FleetTextAsync(_farm));
    }

    public async Task DisposeAsync() => await _farm.DisposeAsync();

    private ControllerEngine Engine => _farm.ControllerService<ControllerEngine>();

    private ICurtailmentOperations Curtail => _farm.ControllerService<ICurtailmentOperations>();

    private SimulatedMiner Sim(string id) => _farm.Sim.Miners.Single(m => m.Id == id);

    private double SitePowerW() => _farm.ControllerService<FleetJudge>().Current.PowerW.Values.Sum();

    [Fact]
    public async Task Price_above_the_strike_curtails_the_house_keeps_the_protected_contract_and_restores_in_waves()
    {
        double before = (await _farm.MeasurePoolsAsync(TimeSpan.FromSeconds(8))).GetValueOrDefault((_protPool.Url, _protPool.Worker));
        Assert.True(before > 0, "the protected contract's pool receives no work before curtailment");

        // Price above the strike: the next engine tick (1 s) curtails; the desired state carries it to the agents.
        var clock = Stopwatch.StartNew();
        await Curtail.ApplyCurtailmentAsync(new CurtailmentRequest(Price: 120m), CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey == "price" && Engine.Curtailment.Targets().Count > 0, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)), "the controller did not curtail within one cycle");
        IReadOnlyDictionary<string, MinerCurtailTarget> targets = Engine.Curtailment.Targets();
        CurtailmentPlan plan = Engine.Curtailment.Plan!;
        Assert.All(plan.Steps, s => Assert.Equal(HousePool.AssigneeId, s.Owner));
        Assert.All(targets.Values, t => Assert.True(t.Action is CurtailAction.Sleep or CurtailAction.PowerTarget, t.ToString()));

        // Applied by the agents through the firmware write channels, read back, and visible on the simulated miners.
        Assert.True(
            await Eventually.TrueAsync(() => Engine.Curtailment.AllApplied(), Applied, TimeSpan.FromMilliseconds(250)),
            "not every house miner was reported curtailed: " + string.Join("; ", targets.Keys.Select(id => $"{id} ({Sim(id).Firmware}): {Engine.Curtailment.ReportedFor(id)}")));
        foreach (MinerCurtailTarget t in targets.Values.Where(t => t.Action == CurtailAction.Sleep))
        {
            Assert.True(Sim(t.MinerId).Sleeping, $"{t.MinerId} ({Sim(t.MinerId).Firmware}) was reported asleep but hashes");
        }

        // The protected contract keeps its hashrate at its pool (±5 %).
        double during = (await _farm.MeasurePoolsAsync(TimeSpan.FromSeconds(8))).GetValueOrDefault((_protPool.Url, _protPool.Worker));
        Assert.InRange(during, before * 0.95, before * 1.05);

        // Measured power from telemetry drops by about what the plan sheds.
        Assert.True(
            await Eventually.TrueAsync(() => targets.Keys.All(id => _farm.ControllerService<FleetJudge>().Current.PowerW.GetValueOrDefault(id) < plan.Steps.Single(s => s.MinerId == id).MeasuredPowerW * 0.95), Applied, TimeSpan.FromMilliseconds(250)),
            "the telemetry of the curtailed miners does not show less power");

        // Price back below the strike minus the hysteresis: staggered restore.
        await Curtail.ApplyCurtailmentAsync(new CurtailmentRequest(Price: 50m), CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey is null, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)), "the controller did not end the curtailment");
        var wokeAt = new Dictionary<string, TimeSpan>();
        var sleepers = targets.Values.Where(t => t.Action == CurtailAction.Sleep).Select(t => t.MinerId).ToList();
        Assert.True(
            await Eventually.TrueAsync(
                () =>
                {
                    foreach (string id in sleepers.Where(id => !Sim(id).Sleeping))
                    {
                        wokeAt.TryAdd(id, clock.Elapsed);
                    }

                    return wokeAt.Count == sleepers.Count;
                },
                Applied + TimeSpan.FromSeconds(30),
                TimeSpan.FromMilliseconds(100)),
            $"not every miner woke: {wokeAt.Count} of {sleepers.Count}");
        if (plan.Steps.Sum(s => s.SavedW) > 8000 * 2)
        {
            // More than two waves of 8 kW: the first and the last miner back are at least one interval apart.
            Assert.True(wokeAt.Values.Max() - wokeAt.Values.Min() >= RestoreInterval, $"all woke within {(wokeAt.Values.Max() - wokeAt.Values.Min()).TotalSeconds:0.0} s");
        }

        await Curtail.EndCurtailmentAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Demand_response_brings_measured_site_power_below_the_target_by_the_deadline_house_first()
    {
        Assert.True(await Eventually.TrueAsync(() => SitePowerW() > 0, Applied, TimeSpan.FromMilliseconds(250)));
        double site = SitePowerW();
        CurtailmentPlanView houseOnly = await Curtail.PlanCurtailmentAsync(new CurtailmentRequest(Price: 200m, Strike: 80m), CancellationToken.None);
        double houseW = houseOnly.Steps.Sum(s => s.MeasuredPowerW);

        // Ask for the whole house and 3 kW more: the curtailable contract gives the rest, the protected one nothing.
        double reduceKw = Math.Round((houseW + 3000) / 1000, 1);
        var deadline = Stopwatch.StartNew();
        await Curtail.ApplyCurtailmentAsync(new CurtailmentRequest(ReduceKw: reduceKw, DurationMinutes: 10), CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey?.StartsWith("dr:", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)));
        CurtailmentPlan plan = Engine.Curtailment.Plan!;
        int lastHouse = plan.Steps.Select((s, i) => (s, i)).Where(x => x.s.Owner == HousePool.AssigneeId).Select(x => x.i).DefaultIfEmpty(-1).Max();
        int firstContract = plan.Steps.Select((s, i) => (s, i)).Where(x => x.s.Owner != HousePool.AssigneeId).Select(x => x.i).DefaultIfEmpty(int.MaxValue).Min();
        Assert.True(lastHouse < firstContract, "a contract was curtailed before the house ran out: " + string.Join(", ", plan.Steps.Select(s => $"{s.MinerId}:{s.Owner}")));
        Assert.Contains(plan.Steps, s => s.Owner == "e2e-curt");
        Assert.DoesNotContain(plan.Steps, s => s.Owner == "e2e-prot");

        // Measured (telemetry) site power below the target by the deadline (one minute on this loaded test box).
        double target = site - (reduceKw * 1000);
        Assert.True(
            await Eventually.TrueAsync(() => SitePowerW() < target, Applied, TimeSpan.FromMilliseconds(250)),
            $"site power {SitePowerW():0} W is not below {target:0} W after {deadline.Elapsed.TotalSeconds:0} s; reported: {string.Join("; ", plan.Steps.Select(s => $"{s.MinerId}: {Engine.Curtailment.ReportedFor(s.MinerId)}"))}");

        await Curtail.EndCurtailmentAsync(CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey is null, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)));
        Assert.True(await Eventually.TrueAsync(() => SitePowerW() > site * 0.9, Applied + TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250)), $"site power {SitePowerW():0} W did not come back to about {site:0} W");
    }
}
