using System.Diagnostics;
using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Xunit;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// Issue 10 end to end, with nothing but one rack agent's broker credentials (R01's) against the production roles:
/// claims about another rack are refused, another rack's miner id is a conflict and not a move, and a miner id nobody
/// has seen is sold only after probation. Plus the outages that used to move miners: a graceful agent restart and a
/// 60 s broker restart move nothing.
/// </summary>
[Trait("Category", "EndToEnd")]
[Trait("Category", "Integration")]
public sealed class RackIdentityTests
{
    private static readonly TimeSpan Converge = ContractedFarmFixture.Converge;

    [Fact]
    public async Task One_racks_credentials_cannot_move_another_racks_miners_and_a_new_miner_is_sold_only_after_probation()
    {
        await using EndToEndFarm farm = await EndToEndFarm.StartAsync();
        CapacityView capacity = await ContractedFarmFixture.WaitForCapacityAsync(farm);
        await farm.Ops.AddContractAsync(new NewContractRequest("id-c1", "cust", $"{(long)(capacity.UnitsFree * 0.5) * capacity.UnitSizeHs / 1e12} TH/s", "stratum+tcp://pool-i.e2e:3333", "ivan.w1", null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), CancellationToken.None);
        Assert.True(await farm.AllRacksAppliedAsync(Converge), await ContractedFarmFixture.FleetTextAsync(farm));
        long version = farm.Ops is ControllerEngine engine ? engine.Version : throw new InvalidOperationException("not the engine");
        await using PoolSwitchCounter switches = PoolSwitchCounter.Start(farm.Sim);
        await using FarmMqttClient watcher = await MqttTestClients.ConnectAsync(farm.Broker, "e2e-desired-watcher", b => b.WithCredentials("operator", EndToEndFarm.OperatorPassword));
        var desired = new MqttMessageCollector(watcher);
        await watcher.SubscribeAsync(FarmTopics.Desired(EndToEndFarm.Site, "R01"));
        (string user, string password) = EndToEndFarm.AgentCredentials(1);

        // The intruder holds R01's credentials as if it had taken the rack's computer. The broker allows one connection
        // per user (client id = user name), so the real agent goes first — gracefully: its grace period moves nothing.
        await farm.StopAgentAsync(1);
        await using FarmMqttClient r01 = await MqttTestClients.ConnectAsync(farm.Broker, "e2e-r01-intruder", b => b.WithCredentials(user, password));
        SimulatedMiner victim = farm.RackMiners(2).First(m => m.Firmware != "whatsminer");
        MinerView victimBefore = (await farm.Ops.GetMinerAsync(victim.Id, CancellationToken.None))!;
        IngestService ingest = farm.ControllerService<IngestService>();
        long seq = 0;

        // 1. R01's topics, payloads claiming R02: its agent offline, its miner at 5000 TH/s.
        await PublishAsync(r01, FarmTopics.AgentStatus(EndToEndFarm.Site, "R01"), new AgentStatusPayload { Publisher = user, Seq = ++seq, Timestamp = DateTimeOffset.UtcNow, Site = EndToEndFarm.Site, Rack = "R02", State = AgentState.Offline });
        for (int i = 0; i < 5; i++)
        {
            await PublishAsync(r01, FarmTopics.MinerTelemetry(EndToEndFarm.Site, "R01", victim.Id), Telemetry("R02", victim.Id, 5000e12, ++seq));
        }

        Assert.True(await Eventually.TrueAsync(() => ingest.Subscriber!.Misattributed >= 6, Converge), $"the controller did not reject the misattributed messages ({ingest.Subscriber!.Misattributed})");
        FleetView fleet = await farm.Ops.GetFleetAsync(CancellationToken.None);
        Assert.True(fleet.Racks.Single(r => r.Rack == "R02").AgentOnline);
        MinerView victimNow = (await farm.Ops.GetMinerAsync(victim.Id, CancellationToken.None))!;
        Assert.Equal("R02", victimNow.Rack);
        Assert.True(victimNow.HashrateHs < 1000e12, $"{victim.Id} reads {victimNow.HashrateHs / 1e12} TH/s");

        // 2. R02's miner id reported on R01's own topic, consistently: a conflict for the operator, not a move.
        for (int i = 0; i < 4; i++)
        {
            await PublishAsync(r01, FarmTopics.MinerTelemetry(EndToEndFarm.Site, "R01", victim.Id), Telemetry("R01", victim.Id, victimBefore.HashrateHs ?? 13.5e12, ++seq));
        }

        ConflictView? conflict = null;
        Assert.True(
            await Eventually.TrueAsync(async () => (conflict = (await farm.Ops.GetFleetAsync(CancellationToken.None)).Conflicts.SingleOrDefault(c => c.MinerId == victim.Id)) is not null, Converge),
            "the conflict never showed in the fleet view");
        Assert.Equal(("R02", "R01"), (conflict!.OwnerRack, conflict.ClaimingRack));
        Assert.Equal("R02", (await farm.Ops.GetMinerAsync(victim.Id, CancellationToken.None))!.Rack);
        Assert.Contains(farm.Logs.Records, r => r.Message.Contains("Miner id conflict", StringComparison.Ordinal) && r.Message.Contains(victim.Id, StringComparison.Ordinal));
        Assert.Equal(version, engine.Version);
        Assert.Empty(switches.Changes);
        Assert.DoesNotContain(LatestDesired(desired)?.Miners ?? [], m => m.MinerId == victim.Id);

        // 3. A miner id nobody has seen, on R01's own topic: two healthy readings keep it on probation (three are needed).
        const string stranger = "stranger-1";
        for (int i = 0; i < 2; i++)
        {
            await PublishAsync(r01, FarmTopics.MinerTelemetry(EndToEndFarm.Site, "R01", stranger), Telemetry("R01", stranger, 13.5e12, ++seq));
        }

        Assert.True(await Eventually.TrueAsync(async () => (await farm.Ops.GetMinerAsync(stranger, CancellationToken.None))?.Probation == true, Converge), "the new miner never showed on probation");
        CapacityView during = await farm.Ops.GetCapacityAsync(CancellationToken.None);
        Assert.Equal(capacity.MinersTotal, during.MinersTotal);
        Assert.Equal(version, engine.Version);
        Assert.Empty(switches.Changes);
        Assert.DoesNotContain(LatestDesired(desired)?.Miners ?? [], m => m.MinerId == stranger);

        // With R01's credentials its capabilities can be claimed too (the agent status is R01's own topic): still only R01's business.
        await PublishAsync(r01, FarmTopics.AgentStatus(EndToEndFarm.Site, "R01"), new AgentStatusPayload
        {
            Publisher = "intruder", Seq = ++seq, Timestamp = DateTimeOffset.UtcNow, Site = EndToEndFarm.Site, Rack = "R01", State = AgentState.Online,
            Capabilities = [TestCapabilities.Writable(stranger, "braiins-os", quota: false)],
        });

        // After probation (3 healthy readings over 3 s in this farm's config) it is sold: counted and in R01's desired state.
        bool sold = await Eventually.TrueAsync(
            async () =>
            {
                await PublishAsync(r01, FarmTopics.MinerTelemetry(EndToEndFarm.Site, "R01", stranger), Telemetry("R01", stranger, 13.5e12, ++seq));
                CapacityView now = await farm.Ops.GetCapacityAsync(CancellationToken.None);
                return now.MinersTotal == capacity.MinersTotal + 1 && LatestDesired(desired)?.Miners.Any(m => m.MinerId == stranger) == true;
            },
            Converge,
            TimeSpan.FromMilliseconds(700));
        Assert.True(sold, "the new miner was never sold after its probation");
        Assert.False((await farm.Ops.GetMinerAsync(stranger, CancellationToken.None))!.Probation);
    }

    [Fact]
    public async Task A_graceful_agent_restart_and_a_60_s_broker_restart_switch_no_pool()
    {
        await using EndToEndFarm farm = await EndToEndFarm.StartAsync();
        CapacityView capacity = await ContractedFarmFixture.WaitForCapacityAsync(farm);
        await farm.Ops.AddContractAsync(new NewContractRequest("calm-c1", "cust", $"{(long)(capacity.UnitsFree * 0.85) * capacity.UnitSizeHs / 1e12} TH/s", "stratum+tcp://pool-q.e2e:3333", "quinn.w1", null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), CancellationToken.None);
        Assert.True(await farm.AllRacksAppliedAsync(Converge), await ContractedFarmFixture.FleetTextAsync(farm));

        // Sold so far that every rack carries the contract: losing any rack's miners would have to move shares.
        ContractView sold = (await farm.Ops.GetContractAsync("calm-c1", CancellationToken.None))!;
        Assert.All(Enumerable.Range(1, EndToEndFarm.Racks), r => Assert.Contains(sold.Shares, s => s.Rack == EndToEndFarm.RackId(r)));
        var engine = (ControllerEngine)farm.Ops;
        long version = engine.Version;
        await using PoolSwitchCounter switches = PoolSwitchCounter.Start(farm.Sim);

        // A graceful agent restart, down 12 s as in the probe: it says offline, disconnects, comes back, polls again.
        await farm.RestartAgentAsync(2, TimeSpan.FromSeconds(12));
        Assert.True(await RackBackAsync(farm, "R02"), await ContractedFarmFixture.FleetTextAsync(farm));
        await HoldAsync(TimeSpan.FromSeconds(8)); // two stale windows after the agent is back: time for a wrong judgement to show
        Assert.True(version == engine.Version, WhyMoved(farm, version));
        Assert.Empty(switches.Changes);

        // The broker away for 60 s, then back on the same port.
        BrokerOutageGate gate = farm.ControllerService<BrokerOutageGate>();
        await farm.Broker.StopAsync();
        var down = Stopwatch.StartNew();
        Assert.True(await Eventually.TrueAsync(() => !gate.IsConnected, TimeSpan.FromSeconds(30)), "the controller did not notice the broker going away");
        Assert.True(await Eventually.TrueAsync(() => down.Elapsed >= TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(70), TimeSpan.FromSeconds(1)));
        Assert.True(version == engine.Version, WhyMoved(farm, version));
        await farm.Broker.StartAgainAsync();
        Assert.True(await Eventually.TrueAsync(() => gate.IsConnected, TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(250)), "the controller did not reconnect");
        for (int r = 1; r <= EndToEndFarm.Racks; r++)
        {
            Assert.True(await RackBackAsync(farm, EndToEndFarm.RackId(r)), await ContractedFarmFixture.FleetTextAsync(farm));
        }

        await HoldAsync(TimeSpan.FromSeconds(8));
        Assert.True(version == engine.Version, WhyMoved(farm, version));
        Assert.Empty(switches.Changes);
        Assert.True(await farm.AllRacksAppliedAsync(Converge), await ContractedFarmFixture.FleetTextAsync(farm));
    }

    // The agent says online and every writable miner of its rack hashes with fresh telemetry.
    private static async Task<bool> RackBackAsync(EndToEndFarm farm, string rack) =>
        await Eventually.TrueAsync(
            async () =>
            {
                FleetView fleet = await farm.Ops.GetFleetAsync(CancellationToken.None);
                RackView? view = fleet.Racks.SingleOrDefault(r => r.Rack == rack);
                return view is { AgentOnline: true } && view.LastSeen > DateTimeOffset.UtcNow.AddSeconds(-2)
                    && fleet.Miners.Where(m => m.Rack == rack).All(m => m.TelemetryAt > DateTimeOffset.UtcNow.AddSeconds(-3));
            },
            Converge,
            TimeSpan.FromMilliseconds(250));

    // The engine's own account of every allocation after the expected one (the log line names the trigger).
    private static string WhyMoved(EndToEndFarm farm, long version) =>
        $"the allocation moved past version {version}:\n" + string.Join('\n', farm.Logs.Records
            .Where(r => r.Message.StartsWith("Allocation version", StringComparison.Ordinal) || r.Message.Contains("rebalancing", StringComparison.Ordinal))
            .Select(r => r.Message));

    // Observation time (the assertion is that nothing happens in it), not synchronisation.
    private static Task HoldAsync(TimeSpan span) => Task.Delay(span);

    private static DesiredPoolStatePayload? LatestDesired(MqttMessageCollector collector) =>
        collector.Messages is [.., var m] ? JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.DesiredPoolStatePayload) : null;

    private static MinerTelemetryPayload Telemetry(string rack, string minerId, double hs, long seq) => new()
    {
        Publisher = "intruder",
        Seq = seq,
        Timestamp = DateTimeOffset.UtcNow,
        Site = EndToEndFarm.Site,
        Rack = rack,
        MinerId = minerId,
        Profile = "antminer",
        Hashrate5sHs = hs,
        HashrateAverageHs = hs,
        PowerW = 1300,
        MaxChipTempC = 70,
    };

    private static Task PublishAsync(FarmMqttClient client, string topic, FarmMessage payload) =>
        client.PublishAsync(new MqttApplicationMessage
        {
            Topic = topic,
            Payload = payload switch
            {
                MinerTelemetryPayload t => JsonSerializer.SerializeToUtf8Bytes(t, FarmJsonContext.Default.MinerTelemetryPayload),
                AgentStatusPayload a => JsonSerializer.SerializeToUtf8Bytes(a, FarmJsonContext.Default.AgentStatusPayload),
                _ => throw new ArgumentOutOfRangeException(nameof(payload)),
            },
            Qos = MqttQualityOfServiceLevel.AtLeastOnce,
        });
}
