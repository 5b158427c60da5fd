using System.Text;
using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Influx;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>Agent payloads published to a real mosquitto, ingested by the controller, written to and queried back from a real influxd.</summary>
[Trait("Category", "Integration")]
public sealed class ControllerHistoryTests(InfluxdFixture influx) : IClassFixture<InfluxdFixture>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private static int _clients;

    [Fact]
    public async Task Telemetry_from_mqtt_becomes_exact_miner_and_rack_points_in_influxd()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        string db = await influx.NewDatabaseAsync();
        var time = new FakeTimeProvider(T0.AddSeconds(30));
        await using var history = new HistoryWriter(Enabled(db));
        using var service = new IngestService(Options(broker), new FleetState(), history, time: time);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, "agent-s1-r07");
            await PublishAsync(agent, FarmTopics.AgentStatus("s1", "r07"), JsonSerializer.SerializeToUtf8Bytes(Status(1), FarmJsonContext.Default.AgentStatusPayload));
            await PublishAsync(agent, FarmTopics.MinerTelemetry("s1", "r07", "m01"), Json(Telemetry("m01", 2, 110e12, 3250)));
            await PublishAsync(agent, FarmTopics.MinerTelemetry("s1", "r07", "m02"), Json(Telemetry("m02", 3, 0, 90) with { Hashrate5sHs = 0, HashrateAverageHs = 0 }));

            Assert.True(await Eventually.TrueAsync(() => history.MinerPoints == 2 && service.Fleet.Racks() is [{ AgentOnline: true }], Deadline));
            await service.WritePeriodicHistoryAsync(CancellationToken.None);
            await history.FlushAsync(CancellationToken.None);

            var miners = InfluxQueryResult.Rows(await influx.Server.QueryAsync(db, "SELECT * FROM miner GROUP BY *"));
            Assert.Equal(2, miners.Count);
            var m01 = Assert.Single(await RowsAsync(db, "SELECT * FROM miner WHERE \"miner\" = 'm01'"));
            Assert.Equal(T0.ToUnixTimeMilliseconds() * 1_000_000, m01["time"].GetInt64());
            Assert.Equal("s1", m01["site"].GetString());
            Assert.Equal("r07", m01["rack"].GetString());
            Assert.Equal("m01", m01["miner"].GetString());
            Assert.Equal("antminer-s19", m01["profile"].GetString());
            Assert.Equal("Antminer S19 Pro", m01["model"].GetString());
            Assert.Equal(110e12, m01["hashrate_5s_hs"].GetDouble());
            Assert.Equal(108.5e12, m01["hashrate_avg_hs"].GetDouble());
            Assert.Equal(78.5, m01["max_chip_temp_c"].GetDouble());
            Assert.Equal(3250, m01["power_w"].GetDouble());
            Assert.Equal(86400, m01["uptime_s"].GetDouble());
            Assert.Equal(12, m01["hw_errors"].GetInt64());
            Assert.Equal(5400, m01["fan_rpm_min"].GetInt64());
            Assert.Equal(5880, m01["fan_rpm_max"].GetInt64());
            Assert.Equal(1234, m01["pool0_accepted"].GetInt64());
            Assert.Equal(5, m01["pool0_rejected"].GetInt64());
            Assert.Equal(80_872_448.5, m01["pool0_diff_accepted"].GetDouble());
            Assert.True(
                !m01.TryGetValue("pool1_diff_accepted", out JsonElement noDifficulty) || noDifficulty.ValueKind == JsonValueKind.Null,
                "a pool without reported difficulty gets no difficulty field");
            Assert.Equal(77, m01["pool1_accepted"].GetInt64());

            // Pool users/workers and URLs are neither tags nor fields: unbounded cardinality and customer names.
            string tagKeys = await influx.Server.QueryAsync(db, "SHOW TAG KEYS FROM miner");
            Assert.DoesNotContain("user", tagKeys, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("worker", tagKeys, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("acct.worker", string.Join(",", m01.Values.Select(v => v.ToString())), StringComparison.Ordinal);

            var rack = Assert.Single(await RowsAsync(db, "SELECT * FROM rack"));
            Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000, rack["time"].GetInt64());
            Assert.Equal("s1", rack["site"].GetString());
            Assert.Equal("r07", rack["rack"].GetString());
            Assert.Equal(110e12, rack["hashrate_hs"].GetDouble());
            Assert.Equal(1, rack["miners_ok"].GetInt64());
            Assert.Equal(3, rack["miners_total"].GetInt64()); // the agent says 3 are configured, 2 reported
            Assert.Equal(3340, rack["power_w"].GetDouble());
            Assert.True(rack["agent_online"].GetBoolean());
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Telemetry_stamped_an_hour_ahead_is_written_when_it_was_received_per_miner_and_batched()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        string db = await influx.NewDatabaseAsync();
        var time = new FakeTimeProvider(T0);
        await using var history = new HistoryWriter(Enabled(db));
        using var service = new IngestService(Options(broker), new FleetState(time), history, time: time);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, "agent-s1-r07");
            DateTimeOffset ahead = T0.AddHours(1);
            await PublishAsync(agent, FarmTopics.MinerTelemetry("s1", "r07", "m01"), Json(Telemetry("m01", 2, 110e12, 3250) with { Timestamp = ahead }));
            TelemetryBatchPayload batch = Assert.Single(TelemetryBatchPayload.From([Telemetry("m02", 3, 100e12, 3100) with { Timestamp = ahead }], "s1", "r07", "agent-s1-r07", ahead)) with { Seq = 4 };
            await PublishAsync(agent, FarmTopics.TelemetryBatch("s1", "r07"), JsonSerializer.SerializeToUtf8Bytes(batch, FarmJsonContext.Default.TelemetryBatchPayload));

            Assert.True(await Eventually.TrueAsync(() => history.MinerPoints == 2, Deadline));
            await history.FlushAsync(CancellationToken.None);
            foreach (string miner in (string[])["m01", "m02"])
            {
                var row = Assert.Single(await RowsAsync(db, $"SELECT * FROM miner WHERE \"miner\" = '{miner}'"));
                Assert.Equal(T0.ToUnixTimeMilliseconds() * 1_000_000, row["time"].GetInt64());
                Assert.Equal(T0, service.Fleet.Miner("s1", "r07", miner)!.TelemetryAt);
            }
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Malformed_telemetry_is_counted_and_logged_and_later_messages_are_still_written()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        string db = await influx.NewDatabaseAsync();
        using var logs = new InMemoryLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var history = new HistoryWriter(Enabled(db));
        using var service = new IngestService(Options(broker), new FleetState(), history, loggerFactory: factory);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, "agent-s1-r07");
            string topic = FarmTopics.MinerTelemetry("s1", "r07", "m01");
            await PublishAsync(agent, topic, Encoding.UTF8.GetBytes("{\"schema\":\"farm.v1.telemetry\",\"publisher\":"));
            await PublishAsync(agent, topic, Encoding.UTF8.GetBytes("[1,2,3]"));
            await PublishAsync(agent, topic, Json(Telemetry("m01", 7, 95e12, 3100)));

            Assert.True(await Eventually.TrueAsync(() => history.MinerPoints == 1, Deadline));
            Assert.Equal(2, service.Subscriber!.Malformed);
            Assert.Equal(2, logs.Records.Count(r => r.Level == LogLevel.Error && r.Property("Topic") == topic));
            await history.FlushAsync(CancellationToken.None);
            var row = Assert.Single(await RowsAsync(db, "SELECT * FROM miner"));
            Assert.Equal(95e12, row["hashrate_5s_hs"].GetDouble());
            Assert.Equal(95e12, service.Fleet.Miner("s1", "r07", "m01")!.Hashrate5sHs);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task With_history_disabled_ingest_runs_and_nothing_is_written_or_reported()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        using var logs = new InMemoryLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs));

        // Enabled=false with no URL at all: the embedded default must not need InfluxDB.
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false }, loggerFactory: factory);
        using var service = new IngestService(Options(broker), new FleetState(), history, loggerFactory: factory);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, "agent-s1-r07");
            await PublishAsync(agent, FarmTopics.MinerTelemetry("s1", "r07", "m01"), Json(Telemetry("m01", 1, 100e12, 3000)));
            Assert.True(await Eventually.TrueAsync(() => service.Fleet.Miner("s1", "r07", "m01") is not null, Deadline));
            await service.WritePeriodicHistoryAsync(CancellationToken.None);

            Assert.False(history.Enabled);
            Assert.Null(history.Statistics);
            Assert.Equal(0, history.MinerPoints);
            Assert.DoesNotContain(logs.Records, r => r.Level >= LogLevel.Warning);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Ledger_rows_in_the_store_become_contract_points_and_nothing_is_invented_without_them()
    {
        string db = await influx.NewDatabaseAsync();
        string dir = Directory.CreateTempSubdirectory("ctl-hist-").FullName;
        try
        {
            await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(Path.Combine(dir, "c.db"), CancellationToken.None);
            await store.UpsertContractAsync(ControllerSamples.Contract("c1", 100), CancellationToken.None);
            await store.UpsertContractAsync(ControllerSamples.Contract("c2", 50), CancellationToken.None);
            var time = new FakeTimeProvider(T0.AddMinutes(20));
            await store.AppendLedgerAsync([new LedgerEntry("c1", T0, 100, 97.5, 2.5, 330, 1.2m, 30m)], CancellationToken.None);
            await using var history = new HistoryWriter(Enabled(db));
            using var service = new IngestService(new ControllerOptions { Site = "s1" }, new FleetState(), history, store, time);

            await service.WritePeriodicHistoryAsync(CancellationToken.None);
            await history.FlushAsync(CancellationToken.None);

            var row = Assert.Single(await RowsAsync(db, "SELECT * FROM contract"));
            Assert.Equal(T0.ToUnixTimeMilliseconds() * 1_000_000, row["time"].GetInt64());
            Assert.Equal("s1", row["site"].GetString());
            Assert.Equal("c1", row["contract"].GetString());
            Assert.Equal(100, row["target_thh"].GetDouble());
            Assert.Equal(97.5, row["delivered_thh"].GetDouble());
            Assert.Equal(2.5, row["shortfall_thh"].GetDouble());
            Assert.Equal(330, row["energy_kwh"].GetDouble());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private InfluxDBClientOptions Enabled(string db)
    {
        InfluxDBClientOptions options = influx.Options(db);
        options.Enabled = true;
        return options;
    }

    private static ControllerOptions Options(MosquittoBroker broker) => new()
    {
        Site = "s1",
        Mqtt = new ControllerMqttOptions { Host = broker.Host, Port = broker.Port, ClientId = $"controller-test-{Interlocked.Increment(ref _clients)}" },
    };

    private async Task<IReadOnlyList<Dictionary<string, JsonElement>>> RowsAsync(string db, string query) =>
        [.. InfluxQueryResult.Rows(await influx.Server.QueryAsync(db, query)).Select(r => r.Row)];

    private static Task PublishAsync(FarmMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessage { Topic = topic, Payload = payload, Qos = MqttQualityOfServiceLevel.AtLeastOnce });

    private static byte[] Json(MinerTelemetryPayload payload) => JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.MinerTelemetryPayload);

    private static AgentStatusPayload Status(long seq) => new()
    {
        Publisher = "agent-s1-r07",
        Seq = seq,
        Timestamp = T0,
        Site = "s1",
        Rack = "r07",
        State = AgentState.Online,
        MinersConfigured = 3,
    };

    internal static MinerTelemetryPayload Telemetry(string miner, long seq, double hashrate, double power) => new()
    {
        Publisher = "agent-s1-r07",
        Seq = seq,
        Timestamp = T0,
        Site = "s1",
        Rack = "r07",
        MinerId = miner,
        Profile = "antminer-s19",
        Model = "Antminer S19 Pro",
        Hashrate5sHs = hashrate,
        HashrateAverageHs = hashrate == 0 ? 0 : 108.5e12,
        MaxChipTempC = 78.5,
        PowerW = power,
        UptimeS = 86400,
        HardwareErrors = 12,
        Fans = [new TelemetryFan(0, 5880, null), new TelemetryFan(1, 5400, 80)],
        Pools =
        [
            new TelemetryPool { Index = 0, Url = "stratum+tcp://pool.example:3333", User = "acct.worker1", Accepted = 1234, Rejected = 5, Stale = 1, DifficultyAccepted = 80_872_448.5 },
            new TelemetryPool { Index = 1, Url = "stratum+tcp://backup.example:3333", User = "acct.worker1", Accepted = 77 },
        ],
    };
}
