using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Telemetry;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Firmware;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using CloudMining.Farm.Tests.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>
/// farm.v1.telemetry-batch on a real mosquitto: the same fleet state as per-miner telemetry, identity from the topic
/// (another rack's miner is a conflict, never a move), entry-by-entry rejection, limits, and the agent's batch mode.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TelemetryBatchTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Batched_and_per_miner_telemetry_give_the_same_fleet_state()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 6, 0, 0, TimeSpan.Zero));

        // Real shapes: the contract sample and every captured miner reply that decodes, as the agent builds them.
        List<MinerSnapshot> snapshots = [WireSamples.Snapshot()];
        foreach (string folder in FixtureMiner.Folders())
        {
            (_, MinerReadResult result) = FixtureMiner.Decode(folder);
            if (result.IsSuccess)
            {
                snapshots.Add(result.Snapshot);
            }
        }

        DateTimeOffset at = clock.GetUtcNow();
        List<MinerTelemetryPayload> readings = [.. snapshots.Select((s, i) => MinerTelemetryPayload.From(s, "s1", "r01", $"m{i:000}", "agent-s1-r01", i + 1, at))];

        // And the sparse ends: no pools or fans, no power or temperature.
        readings.Add(readings[0] with { MinerId = "bare", Pools = [], Fans = [], PowerW = null, MaxChipTempC = null, Model = null, Firmware = null, ReadAt = null });
        readings.Add(readings[0] with { MinerId = "idle", Hashrate5sHs = 0, HashrateAverageHs = 0 });
        TelemetryBatchPayload batch = Assert.Single(TelemetryBatchPayload.From(readings, "s1", "r01", "agent-s1-r01", at)) with { Seq = 1001 };

        FleetState perMiner = await IngestAsync(broker, clock, "ctl-per-miner", async agent =>
        {
            foreach (MinerTelemetryPayload t in readings)
            {
                await PublishAsync(agent, FarmTopics.MinerTelemetry("s1", "r01", t.MinerId), JsonSerializer.SerializeToUtf8Bytes(t, FarmJsonContext.Default.MinerTelemetryPayload));
            }
        }, fleet => fleet.Racks().Sum(r => r.Miners.Count) == readings.Count);
        FleetState batched = await IngestAsync(broker, clock, "ctl-batched", agent =>
            PublishAsync(agent, FarmTopics.TelemetryBatch("s1", "r01"), JsonSerializer.SerializeToUtf8Bytes(batch, FarmJsonContext.Default.TelemetryBatchPayload)),
            fleet => fleet.Racks().Sum(r => r.Miners.Count) == readings.Count);

        foreach (MinerTelemetryPayload t in readings)
        {
            MinerLiveState a = perMiner.Miner("s1", "r01", t.MinerId)!;
            MinerLiveState b = batched.Miner("s1", "r01", t.MinerId)!;
            Assert.Equal(a with { Pools = [] }, b with { Pools = [] });
            Assert.Equal(a.Pools, b.Pools);
            Assert.Equal(t.Timestamp, b.TelemetryAt);
        }

        // What was measured reached the fleet: hashrate, power and the accepted difficulty proof of delivery sums.
        MinerLiveState sample = batched.Miner("s1", "r01", "m000")!;
        Assert.Equal(104.2e12, sample.Hashrate5sHs!.Value, 1e3);
        Assert.Equal(78_643_200, sample.Pools[0].DifficultyAccepted);
        Assert.Equal("stratum+tcp://btc.example.com:3333", sample.Pools[0].Url);
        Assert.True(Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(batch, FarmJsonContext.Default.TelemetryBatchPayload))
            < readings.Sum(t => JsonSerializer.SerializeToUtf8Bytes(t, FarmJsonContext.Default.MinerTelemetryPayload).Length) / 2, "the batch is not compact");
    }

    [Fact]
    public async Task A_batch_naming_another_racks_miner_moves_nothing()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 2, perRack: 3, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("r2", (await farm.Engine.GetMinerAsync("r2-m01", CancellationToken.None))!.Rack);

        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false }, new WriteOptions());
        using var service = new IngestService(Options(broker, "ctl-conflict"), farm.Fleet, history, time: farm.Clock);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient r1 = await MqttTestClients.ConnectAsync(broker, "agent-s1-r1");
            DateTimeOffset now = farm.Clock.GetUtcNow();

            // R1's batch: its own miner, and R2's miner claimed with a big hashrate.
            MinerTelemetryPayload own = farm.Miners["r1-m01"].Telemetry(EngineFarm.Site, now, 0);
            MinerTelemetryPayload stolen = farm.Miners["r2-m01"].Telemetry(EngineFarm.Site, now, 0) with { Rack = "r1", Hashrate5sHs = 300e12, HashrateAverageHs = 300e12 };
            TelemetryBatchPayload batch = TelemetryBatchPayload.From([own, stolen], EngineFarm.Site, "r1", "agent-s1-r1", now).Single() with { Seq = 900_000 };
            await PublishAsync(r1, FarmTopics.TelemetryBatch(EngineFarm.Site, "r1"), JsonSerializer.SerializeToUtf8Bytes(batch, FarmJsonContext.Default.TelemetryBatchPayload));

            Assert.True(await Eventually.TrueAsync(() => farm.Fleet.Miner(EngineFarm.Site, "r1", "r2-m01") is not null, Deadline), "the batch never arrived");
            Assert.Equal(2, service.Batches.Readings);
            await farm.Engine.TickAsync(CancellationToken.None);

            // The claim is a conflict shown to the operator; the miner stays R2's, at R2's own reading.
            FleetView fleet = await farm.Engine.GetFleetAsync(CancellationToken.None);
            ConflictView conflict = Assert.Single(fleet.Conflicts);
            Assert.Equal(("r2-m01", "r2", "r1"), (conflict.MinerId, conflict.OwnerRack, conflict.ClaimingRack));
            MinerView miner = (await farm.Engine.GetMinerAsync("r2-m01", CancellationToken.None))!;
            Assert.Equal("r2", miner.Rack);
            Assert.Equal(600e12, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).MeasuredHealthyHs);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Bad_entries_are_rejected_one_by_one_a_bad_envelope_or_oversized_batch_whole_and_nothing_else_is_lost()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        using var logs = new InMemoryLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false }, new WriteOptions());
        var fleet = new FleetState();
        using var service = new IngestService(Options(broker, "ctl-bad-batches"), fleet, history, loggerFactory: factory);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient r01 = await MqttTestClients.ConnectAsync(broker, "agent-s1-r01");
            DateTimeOffset now = DateTimeOffset.UtcNow;
            string topic = FarmTopics.TelemetryBatch("s1", "r01");
            long seq = 0;
            TelemetryBatchPayload Batch(int miners, string prefix) =>
                TelemetryBatchPayload.From([.. Enumerable.Range(0, miners).Select(i => MinerTelemetryPayload.From(WireSamples.Snapshot(), "s1", "r01", $"{prefix}{i:000}", "agent-s1-r01", 0, now))], "s1", "r01", "agent-s1-r01", now, maxBytes: int.MaxValue).Single() with { Seq = ++seq };

            // Entries 1-4 broken four ways, entries 0 and 5 fine. A row's values follow "cols": id, k, at, h5, ..., pl.
            JsonObject mixed = JsonNode.Parse(JsonSerializer.Serialize(Batch(6, "mix"), FarmJsonContext.Default.TelemetryBatchPayload))!.AsObject();
            Assert.Equal(["id", "k", "at", "h5"], mixed["cols"]!.AsArray().Take(4).Select(c => c!.GetValue<string>()));
            Assert.Equal("pl", mixed["cols"]!.AsArray()[11]!.GetValue<string>());
            JsonArray entries = mixed["miners"]!.AsArray();
            entries[1]![3] = 987654321.5;
            entries[2]![11]![0]![0] = 7;
            entries[3]![0] = null;
            entries[4]![0] = "mix000";
            string text = mixed.ToJsonString().Replace("987654321.5", "1e999", StringComparison.Ordinal);
            Assert.Contains("1e999", text, StringComparison.Ordinal);
            await PublishAsync(r01, topic, Encoding.UTF8.GetBytes(text));

            // A whole batch too many miners (a malformed envelope), and one claiming another rack.
            TelemetryBatchPayload many = Batch(TelemetryBatchPayload.MaxMiners, "many");
            many = many with { Miners = [.. many.Miners, many.Miners[0] with { MinerId = "many-extra" }] };
            await PublishAsync(r01, topic, JsonSerializer.SerializeToUtf8Bytes(many, FarmJsonContext.Default.TelemetryBatchPayload));
            await PublishAsync(r01, topic, JsonSerializer.SerializeToUtf8Bytes(Batch(1, "foreign") with { Rack = "r02" }, FarmJsonContext.Default.TelemetryBatchPayload));

            // Over the packet limit: refused by our client before anything is sent, with the size and the limit.
            TelemetryBatchPayload huge = Batch(400, "huge");
            huge = huge with { Miners = [.. huge.Miners.Select((e, i) => e with { Pools = [e.Pools[0] with { Url = $"stratum+tcp://pool-{i}.example.com:3333/{new string('x', 3000)}" }] })] };
            var tooLarge = await Assert.ThrowsAsync<MqttMessageTooLargeException>(() => PublishAsync(r01, topic, JsonSerializer.SerializeToUtf8Bytes(huge, FarmJsonContext.Default.TelemetryBatchPayload)));
            Assert.Contains(topic, tooLarge.Message, StringComparison.Ordinal);
            Assert.Contains("1048576", tooLarge.Message, StringComparison.Ordinal);

            // Then a good batch and per-miner telemetry: both still arrive.
            await PublishAsync(r01, topic, JsonSerializer.SerializeToUtf8Bytes(Batch(3, "good"), FarmJsonContext.Default.TelemetryBatchPayload));
            MinerTelemetryPayload single = MinerTelemetryPayload.From(WireSamples.Snapshot(), "s1", "r01", "single", "agent-s1-r01", ++seq, now);
            await PublishAsync(r01, FarmTopics.MinerTelemetry("s1", "r01", "single"), JsonSerializer.SerializeToUtf8Bytes(single, FarmJsonContext.Default.MinerTelemetryPayload));

            Assert.True(await Eventually.TrueAsync(() => fleet.Miner("s1", "r01", "single") is not null && fleet.Miner("s1", "r01", "good002") is not null, Deadline), "the good messages never arrived");
            string[] held = [.. fleet.Racks().Single().Miners.Select(m => m.MinerId)];
            Assert.Equal(["good000", "good001", "good002", "mix000", "mix005", "single"], held);
            Assert.Equal(4, service.Batches.Rejected);
            Assert.Equal(5, service.Batches.Readings);
            Assert.Equal(1, service.Subscriber!.Malformed);
            Assert.Equal(1, service.Subscriber.Misattributed);
            Assert.Equal(0, service.Subscriber.HandlerFailures);

            string[] rejected = [.. logs.Records.Where(r => r.Message.StartsWith("Rejected miners[", StringComparison.Ordinal)).Select(r => r.Message)];
            Assert.Equal(4, rejected.Length);
            Assert.Contains(rejected, m => m.Contains("miners[1] (miner mix001)", StringComparison.Ordinal) && m.Contains("infinity", StringComparison.Ordinal) && m.Contains(topic, StringComparison.Ordinal));
            Assert.Contains(rejected, m => m.Contains("miners[2] (miner mix002)", StringComparison.Ordinal) && m.Contains("refers to pool 7", StringComparison.Ordinal));
            Assert.Contains(rejected, m => m.Contains("miners[3] (miner (no id))", StringComparison.Ordinal));
            Assert.Contains(rejected, m => m.Contains("miners[4] (miner mix000)", StringComparison.Ordinal) && m.Contains("listed twice", StringComparison.Ordinal));
            Assert.All(rejected, m => Assert.Contains("the batch's other readings were used", m, StringComparison.Ordinal));
            Assert.Contains(logs.Records, r => r.Level == LogLevel.Error && r.Message.Contains($"more than {TelemetryBatchPayload.MaxMiners} per batch", StringComparison.Ordinal) && r.Message.Contains(topic, StringComparison.Ordinal));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_agent_with_batching_on_publishes_one_batch_per_cycle_instead_of_per_miner_telemetry()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 4, o => o.Telemetry.Batch = true);
        string[] ids = [.. p.Rack.Farm.Miners.Select(m => m.Id)];
        Assert.True(
            await Eventually.TrueAsync(() => p.Of<TelemetryBatchPayload>().Count(b => ids.All(id => b.Miners.Any(e => e.MinerId == id && e.Hashrate5sHs > 0))) >= 2, Deadline),
            "two batches carrying every miner");

        Assert.Empty(p.Of<MinerTelemetryPayload>());
        Assert.All(ids, id => Assert.Contains(p.Of<MinerStatePayload>(), s => s.MinerId == id));
        Assert.All(p.Received.Where(r => r.Payload is TelemetryBatchPayload), r => Assert.Equal(FarmTopics.TelemetryBatch("test", "T-01"), r.TopicName));
        var schemas = new JsonSchemaSubsetValidatorSet();
        foreach (MqttApplicationMessage m in p.Raw)
        {
            IReadOnlyList<string> problems = schemas.Validate(m.Payload.Span);
            Assert.True(problems.Count == 0, $"{m.Topic}: {string.Join("; ", problems)}");
        }

        // Every entry stands for a full per-miner reading: all readable, each miner once.
        TelemetryBatchPayload last = p.Of<TelemetryBatchPayload>().Last();
        TelemetryBatchReading[] read = [.. last.Readings()];
        Assert.All(read, r => Assert.Null(r.Problem));
        Assert.Equal(ids.Order(), read.Select(r => r.MinerId!).Order());
        Assert.All(read, r => Assert.Equal("T-01", r.Telemetry!.Rack));
        Assert.Equal(0, p.Subscriber.Malformed);
    }

    [Fact]
    public async Task Two_controllers_in_one_shared_subscription_group_each_get_part_and_together_all_of_the_batches()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false }, new WriteOptions());
        FleetState[] fleets = [new FleetState(), new FleetState()];
        IngestService[] services = [.. fleets.Select((f, i) => new IngestService(Shared(i), f, history))];
        try
        {
            foreach (IngestService s in services)
            {
                await s.StartAsync(CancellationToken.None);
                await s.Subscribed;
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            const int Racks = 40;
            for (int r = 0; r < Racks; r++)
            {
                string rack = $"r{r:00}";
                await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, $"agent-s1-{rack}");
                TelemetryBatchPayload batch = TelemetryBatchPayload.From([.. Enumerable.Range(0, 3).Select(i => MinerTelemetryPayload.From(WireSamples.Snapshot(), "s1", rack, $"{rack}-m{i}", $"agent-s1-{rack}", 0, now))], "s1", rack, $"agent-s1-{rack}", now).Single() with { Seq = 1 };
                await PublishAsync(agent, FarmTopics.TelemetryBatch("s1", rack), JsonSerializer.SerializeToUtf8Bytes(batch, FarmJsonContext.Default.TelemetryBatchPayload));
            }

            Assert.True(await Eventually.TrueAsync(() => fleets.Sum(f => f.Racks().Sum(r => r.Miners.Count)) >= Racks * 3, Deadline), $"{services.Sum(s => s.Batches.Batches)} of {Racks} batches arrived");

            // Each batch went to exactly one of them: both got some, none twice, every miner is in one fleet.
            Assert.Equal(Racks, services.Sum(s => s.Batches.Batches));
            Assert.All(services, s => Assert.InRange(s.Batches.Batches, 1, Racks - 1));
            string[] miners = [.. fleets.SelectMany(f => f.Racks()).SelectMany(r => r.Miners).Select(m => m.MinerId).Order(StringComparer.Ordinal)];
            Assert.Equal(Racks * 3, miners.Length);
            Assert.Equal(Racks * 3, miners.Distinct().Count());
            Assert.Equal(["$share/controller-ingest/farm/v1/s1/+/miners/+/telemetry", "$share/controller-ingest/farm/v1/s1/+/telemetry-batch"], IngestService.Filters("s1", "controller-ingest").Take(2));
            Assert.Throws<ArgumentException>(() => IngestService.Filters("s1", "a/b"));
        }
        finally
        {
            foreach (IngestService s in services)
            {
                await s.StopAsync(CancellationToken.None);
                s.Dispose();
            }
        }

        ControllerOptions Shared(int i)
        {
            ControllerOptions o = Options(broker, $"ctl-share-{i}");
            o.Mqtt.IngestShareGroup = "controller-ingest";
            return o;
        }
    }

    private static async Task<FleetState> IngestAsync(MosquittoBroker broker, TimeProvider clock, string clientId, Func<FarmMqttClient, Task> publish, Func<FleetState, bool> done)
    {
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false }, new WriteOptions());
        var fleet = new FleetState(clock);
        using var service = new IngestService(Options(broker, clientId), fleet, history, time: clock);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, "agent-s1-r01-" + clientId);
            await publish(agent);
            Assert.True(await Eventually.TrueAsync(() => done(fleet), Deadline), $"{clientId}: the telemetry never arrived");
            Assert.Equal(0, service.Subscriber!.Malformed);
            Assert.Equal(0, service.Batches.Rejected);
            return fleet;
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static ControllerOptions Options(MosquittoBroker broker, string clientId) => new()
    {
        Site = "s1",
        Mqtt = new ControllerMqttOptions { Host = broker.Host, Port = broker.Port, ClientId = clientId },
    };

    private static Task PublishAsync(FarmMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessage { Topic = topic, Payload = payload, Qos = MqttQualityOfServiceLevel.AtLeastOnce });
}
