using System.Diagnostics;
using System.Text.Json.Nodes;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Curtailment.Signals;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Tests.Mqtt;
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
public sealed class CurtailmentEndToEndTests(CurtailmentFarmFixture fixture) : IClassFixture<CurtailmentFarmFixture>
{
    private static readonly TimeSpan RestoreInterval = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Applied = TimeSpan.FromSeconds(60);
    private readonly EndToEndFarm _farm = fixture.Farm;
    private readonly PoolAccount _protPool = fixture.ProtPool;

    /// <summary>Runs a test and then ends every signal it left (the farm is shared): nothing curtailed, no restore wave pending.</summary>
    private async Task CleanAfterAsync(Func<Task> test)
    {
        try
        {
            await test();
        }
        finally
        {
            await Curtail.EndCurtailmentAsync(CancellationToken.None);
            await Curtail.ApplyCurtailmentAsync(new CurtailmentRequest(Price: 10m), CancellationToken.None);
            await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey is null && Engine.Curtailment.PendingWaves.Count == 0, Applied, TimeSpan.FromMilliseconds(250));
            await Curtail.EndCurtailmentAsync(CancellationToken.None);
        }
    }

    private ControllerEngine Engine => _farm.ControllerService<ControllerEngine>();

    private ICurtailmentOperations Curtail => _farm.ControllerService<ICurtailmentOperations>();

    private SimulatedMiner Sim(string id) => _farm.Sim.Miners.Single(m => m.Id == id);

    private double SitePowerW() => _farm.ControllerService<FleetJudge>().Current.PowerW.Values.Sum();

    private bool SiteAtRest()
    {
        FleetSnapshot fleet = _farm.ControllerService<FleetJudge>().Current;
        return Engine.Curtailment.Targets().Count == 0 && fleet.Miners.Count == EndToEndFarm.Racks * EndToEndFarm.MinersPerRack
            && fleet.Miners.All(m => m.Health == CloudMining.Farm.Controller.Fleet.MinerHealth.Healthy && fleet.PowerW.ContainsKey(m.Id));
    }

    private string RestText()
    {
        FleetSnapshot fleet = _farm.ControllerService<FleetJudge>().Current;
        return $"targets [{string.Join(", ", Engine.Curtailment.Targets().Values.Select(t => $"{t.MinerId}:{t.Action}"))}], not healthy [{string.Join(", ", fleet.Miners.Where(m => m.Health != CloudMining.Farm.Controller.Fleet.MinerHealth.Healthy).Select(m => $"{m.Id}:{m.Health}"))}]";
    }

    [Fact]
    public Task Price_above_the_strike_curtails_the_house_keeps_the_protected_contract_and_restores_in_waves() => CleanAfterAsync(Price_above_the_strike_curtails_the_house_keeps_the_protected_contract_and_restores_in_wavesCore);

    private async Task Price_above_the_strike_curtails_the_house_keeps_the_protected_contract_and_restores_in_wavesCore()
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
    public Task Demand_response_brings_measured_site_power_below_the_target_by_the_deadline_house_first() => CleanAfterAsync(Demand_response_brings_measured_site_power_below_the_target_by_the_deadline_house_firstCore);

    private async Task Demand_response_brings_measured_site_power_below_the_target_by_the_deadline_house_firstCore()
    {
        // The site at rest: every miner back from an earlier test (its resume applied) and hashing in telemetry.
        Assert.True(await Eventually.TrueAsync(SiteAtRest, Applied + TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250)), "the site did not come to rest: " + RestText());
        double site = SitePowerW();
        CurtailmentPlanView houseOnly = await Curtail.PlanCurtailmentAsync(new CurtailmentRequest(Price: 200m, Strike: 80m), CancellationToken.None);
        double houseW = houseOnly.Steps.Sum(s => s.MeasuredPowerW);

        // Ask for the whole house and 3 kW more: the curtailable contract gives the rest, the protected one nothing.
        // The allocator decides which miners carry the curtailable contract (a miner it shares with the protected one
        // may not be touched), so the request stays 3 kW inside what the fleet can shed at all (sleeping miners still
        // draw a little, which the controller's top-up covers from that margin).
        CurtailmentPlanView most = await Curtail.PlanCurtailmentAsync(new CurtailmentRequest(ReduceKw: 100_000, DurationMinutes: 10), CancellationToken.None);
        double curtRoom = most.Steps.Where(s => s.Owner == "e2e-curt").Sum(s => s.SavedW);
        double reduceKw = Math.Round(Math.Min(houseW + 3000, most.ShedW - 3000) / 1000, 1);
        var deadline = Stopwatch.StartNew();
        await Curtail.ApplyCurtailmentAsync(new CurtailmentRequest(ReduceKw: reduceKw, DurationMinutes: 10), CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey?.StartsWith("dr:", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)));
        CurtailmentPlan plan = Engine.Curtailment.Plan!;
        int lastHouse = plan.Steps.Select((s, i) => (s, i)).Where(x => x.s.Owner == HousePool.AssigneeId).Select(x => x.i).DefaultIfEmpty(-1).Max();
        int firstContract = plan.Steps.Select((s, i) => (s, i)).Where(x => x.s.Owner != HousePool.AssigneeId).Select(x => x.i).DefaultIfEmpty(int.MaxValue).Min();
        Assert.True(lastHouse < firstContract, "a contract was curtailed before the house ran out: " + string.Join(", ", plan.Steps.Select(s => $"{s.MinerId}:{s.Owner}")));
        // The house may have grown since the dry run (the allocator moves miners): the contract is owed a touch only when this plan's house fell short.
        double houseShed = plan.Steps.Where(s => s.Owner == HousePool.AssigneeId).Sum(s => s.SavedW);
        Assert.True(curtRoom < 4000 || houseShed >= plan.Goal.ShedW - 1 || plan.Steps.Any(s => s.Owner == "e2e-curt"), $"the curtailable contract was not touched (shed {plan.ShedW:0} W of {plan.Goal.ShedW:0} W, short {plan.ShortfallW:0} W): {string.Join(" | ", plan.Notes)}; house steps {plan.Steps.Count(s => s.Owner == HousePool.AssigneeId)} of {houseOnly.Steps.Count} in the price plan");
        Assert.DoesNotContain(plan.Steps, s => s.Owner == "e2e-prot");

        // Measured (telemetry) site power below the target by the deadline (90 s on this loaded test box: plan, agents, read-back, telemetry, and one top-up if the site is still above it).
        double target = site - (reduceKw * 1000);
        Assert.True(
            await Eventually.TrueAsync(() => SitePowerW() < target, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250)),
            $"site power {SitePowerW():0} W is not below {target:0} W (the controller's target {Engine.DemandResponseTargetW:0} W, goal {Engine.Curtailment.GoalKey}) after {deadline.Elapsed.TotalSeconds:0} s; not applied: [{string.Join(", ", Engine.Curtailment.NotApplied())}]; "
            + $"logged: {string.Join(" | ", _farm.Logs.Records.Select(r => r.Message).Where(m => m.Contains("Demand-response", StringComparison.Ordinal)).TakeLast(5))}; reported: {string.Join("; ", plan.Steps.Select(s => $"{s.MinerId}: {Engine.Curtailment.ReportedFor(s.MinerId)}"))}");

        await Curtail.EndCurtailmentAsync(CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey is null, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)));
        Assert.True(await Eventually.TrueAsync(() => SitePowerW() > site * 0.9, Applied + TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250)), $"site power {SitePowerW():0} W did not come back to about {site:0} W");
    }

    [Fact]
    public Task A_price_from_the_price_feed_on_mqtt_curtails_the_house_and_a_lower_one_restores_it() => CleanAfterAsync(A_price_from_the_price_feed_on_mqtt_curtails_the_house_and_a_lower_one_restores_itCore);

    private async Task A_price_from_the_price_feed_on_mqtt_curtails_the_house_and_a_lower_one_restores_itCore()
    {
        await using FarmMqttClient feed = await MqttTestClients.ConnectAsync(_farm.Broker, "price-feed-e2e", b => b.WithCredentials($"price-feed-{EndToEndFarm.Site}", EndToEndFarm.PriceFeedPassword));
        await PublishPriceAsync(feed, 150m);
        Assert.True(
            await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey == "price", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100)),
            "the controller did not take the feed's price: " + string.Join("; ", _farm.Logs.Records.Select(r => r.Message).Where(m => m.Contains("Curtailment", StringComparison.Ordinal)).TakeLast(5)));
        CurtailmentStatusView status = await Curtail.GetCurtailmentAsync(CancellationToken.None);
        CurtailmentSignalView price = Assert.Single(status.Signals, s => s.Kind == "price");
        Assert.Equal("mqtt", price.Source);
        Assert.Equal(150m, price.PricePerMWh);

        await PublishPriceAsync(feed, 40m);
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.GoalKey is null, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100)), "the feed's lower price did not end the curtailment");
        Assert.True(await Eventually.TrueAsync(() => Engine.Curtailment.PendingWaves.Count == 0 && !Engine.Curtailment.Targets().Values.Any(t => t.Action != CurtailAction.Resume), Applied, TimeSpan.FromMilliseconds(250)));
    }

    private static Task PublishPriceAsync(FarmMqttClient feed, decimal perMWh)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var json = new JsonObject
        {
            ["schema"] = "farm.v1.energy-price",
            ["site"] = EndToEndFarm.Site,
            ["pricePerMWh"] = perMWh,
            ["currency"] = "EUR",
            ["validFrom"] = now.AddMinutes(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["validUntil"] = now.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["publisher"] = "feed-e2e",
        };
        return feed.PublishAsync(new MqttApplicationMessage
        {
            Topic = SignalTopics.For(EndToEndFarm.Site, SignalTopics.EnergyPrice),
            Payload = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()),
            Qos = MqttQualityOfServiceLevel.AtLeastOnce,
        });
    }
}
