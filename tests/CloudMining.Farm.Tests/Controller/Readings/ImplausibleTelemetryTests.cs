using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Api;
using CloudMining.Farm.Tests.Controller.Ctl;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Readings;

/// <summary>
/// The probes of issue 10 (a fake miner at 1e300, 1e320, 1e999, negative or string H/s; a contract of 1e300 TH/s)
/// through the real ingest (FarmSubscriber → IngestService → FleetState), the engine, the local API and farmctl.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ImplausibleTelemetryTests
{
    private static readonly ApiJsonContext Json = ApiJsonContext.Default;

    /// <summary>The hashrate literal each fake miner reports, as JSON text; the miner id says which probe it is.</summary>
    public static readonly (string MinerId, string Literal, bool Decodes)[] Probes =
    [
        ("fake-1e300", "1e300", true),
        ("fake-negative", "-5e12", true),
        ("fake-1e320", "1e320", false),
        ("fake-infinity", "1e999", false),
        ("fake-string", "\"100e12\"", false),
    ];

    /// <summary>A real agent payload for <paramref name="minerId"/> whose hashrates are replaced by a JSON literal.</summary>
    public static byte[] FakeTelemetry(string rack, string minerId, string literal, long seq, DateTimeOffset at)
    {
        MinerTelemetryPayload payload = MinerTelemetryPayload.From(Wire.WireSamples.Snapshot(), EngineFarm.Site, rack, minerId, "agent-s1-" + rack, seq, at) with { Pools = [] };
        string json = JsonSerializer.Serialize(payload, FarmJsonContext.Default.MinerTelemetryPayload);
        using JsonDocument doc = JsonDocument.Parse(json);
        string five = doc.RootElement.GetProperty("hashrate5sHs").GetRawText();
        string average = doc.RootElement.GetProperty("hashrateAverageHs").GetRawText();
        return Encoding.UTF8.GetBytes(json.Replace($"\"hashrate5sHs\":{five}", $"\"hashrate5sHs\":{literal}", StringComparison.Ordinal)
            .Replace($"\"hashrateAverageHs\":{average}", $"\"hashrateAverageHs\":{literal}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fake_miners_at_absurd_hashrates_are_suspect_or_dropped_and_capacity_stays_the_real_fleets()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 2, perRack: 3, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30));
        await using var history = new HistoryWriter(new InfluxDBClientOptions());
        using var ingest = new IngestService(new ControllerOptions { Site = EngineFarm.Site }, farm.Fleet, history, time: farm.Clock);
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("never-connected").Build());
        var subscriber = new FarmSubscriber(client, ingest.HandleAsync);

        long seq = 1000;
        foreach ((string id, string literal, _) in Probes)
        {
            await subscriber.HandleAsync(
                new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry(EngineFarm.Site, "r1", id), Payload = FakeTelemetry("r1", id, literal, ++seq, farm.Clock.GetUtcNow()) },
                CancellationToken.None);
        }

        Assert.Equal(3, subscriber.Malformed);
        Assert.Equal(0, subscriber.HandlerFailures);
        Assert.Null(farm.Fleet.Miner(EngineFarm.Site, "r1", "fake-1e320"));
        Assert.Equal(1e300, farm.Fleet.Miner(EngineFarm.Site, "r1", "fake-1e300")!.HashrateAverageHs);
        await farm.Engine.TickAsync(CancellationToken.None);

        string tokenFile = Path.Combine(farm.Directory, LocalApiToken.DefaultFileName);
        await using LocalApiServer server = await LocalApiServer.StartAsync(farm.Engine, new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = tokenFile }, NullLoggerFactory.Instance, farm.Clock, CancellationToken.None);
        using HttpClient http = OperatorHttpHandler.Client(server.Address, tokenFile);
        string api = server.Address.ToString().TrimEnd('/');

        CapacityView capacity = (await http.GetFromJsonAsync("/v1/capacity", Json.CapacityView))!;
        Assert.Equal(600e12, capacity.MeasuredHealthyHs);
        Assert.Equal(60, capacity.UnitsTotal);
        Assert.Equal(2, capacity.MinersSuspect);

        FleetView fleet = (await http.GetFromJsonAsync("/v1/fleet", Json.FleetView))!;
        MinerView fake = fleet.Miners.Single(m => m.MinerId == "fake-1e300");
        Assert.True(fake.Suspect);
        Assert.Contains("average hashrate 1E+300 H/s is above 2× its nominal 104.00 TH/s", fake.SuspectReason, StringComparison.Ordinal);
        Assert.Contains("is negative", fleet.Miners.Single(m => m.MinerId == "fake-negative").SuspectReason, StringComparison.Ordinal);
        Assert.Equal(2, fleet.Racks.Single(r => r.Rack == "r1").MinersSuspect);
        Assert.Equal(300e12, fleet.Racks.Single(r => r.Rack == "r1").HashrateHs);
        Assert.True((await http.GetFromJsonAsync("/v1/miners/fake-1e300", Json.MinerView))!.Suspect);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/allocation")).StatusCode);

        // The seller's side: absurd targets are a 400 naming the field, a finite one beyond the fleet the existing 409.
        foreach (string target in new[] { "1e300 TH/s", "1e999 TH/s", "-5 TH/s", "0 TH/s", "2000 EH/s" })
        {
            HttpResponseMessage refused = await PostContractAsync(http, "c-" + target.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture), target, farm);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{target}: {refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
            Assert.Equal("hashrate", (await refused.Content.ReadFromJsonAsync(Json.ProblemDocument))!.Field);
        }

        HttpResponseMessage beyond = await PostContractAsync(http, "too-big", "100000 TH/s", farm);
        Assert.Equal(HttpStatusCode.Conflict, beyond.StatusCode);
        Assert.Equal(60, (await beyond.Content.ReadFromJsonAsync(Json.ProblemDocument))!.UnitsFree);

        (int code, string output, string error) = await FarmctlRun.InvokeAsync("contracts", "add", "--id", "absurd", "--customer", "acme", "--hashrate", "1e300 TH/s", "--pool-url", "stratum+tcp://customer.pool.example:3333", "--worker", "acme.absurd", "--end", "2026-04-01", "--api", api, "--token-file", tokenFile);
        Assert.NotEqual(0, code);
        Assert.Contains("above the ceiling of 1000 EH/s", output + error, StringComparison.Ordinal);

        // A real contract is served by the real miners only.
        Assert.Equal(HttpStatusCode.Created, (await PostContractAsync(http, "real", "250 TH/s", farm)).StatusCode);
        ContractView real = (await http.GetFromJsonAsync("/v1/contracts/real", Json.ContractView))!;
        Assert.DoesNotContain(real.Shares, s => s.MinerId.StartsWith("fake", StringComparison.Ordinal));
        Assert.True(real.AllocatedHs >= 250e12);

        (code, output, error) = await FarmctlRun.InvokeAsync("fleet", "--api", api, "--token-file", tokenFile);
        Assert.True(code == 0, error);
        Assert.Contains("2 miner(s) suspect", output, StringComparison.Ordinal);
        Assert.Matches(@"suspect fake-1e300 \(r1\): average hashrate 1E\+300 H/s", output);
        (code, output, error) = await FarmctlRun.InvokeAsync("miner", "show", "fake-negative", "--api", api, "--token-file", tokenFile);
        Assert.True(code == 0, error);
        Assert.Contains("suspect, not sold", output, StringComparison.Ordinal);
        (code, output, _) = await FarmctlRun.InvokeAsync("miner", "show", "fake-1e300", "--json", "--api", api, "--token-file", tokenFile);
        Assert.Equal(0, code);
        using (JsonDocument doc = JsonDocument.Parse(output))
        {
            Assert.True(doc.RootElement.GetProperty("suspect").GetBoolean());
            Assert.StartsWith("average hashrate", doc.RootElement.GetProperty("suspectReason").GetString(), StringComparison.Ordinal);
        }

        // Plausible again for three readings: sold again.
        for (int k = 0; k < 3; k++)
        {
            farm.Clock.Advance(TimeSpan.FromSeconds(10));
            await subscriber.HandleAsync(
                new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry(EngineFarm.Site, "r1", "fake-1e300"), Payload = FakeTelemetry("r1", "fake-1e300", "100e12", ++seq, farm.Clock.GetUtcNow()) },
                CancellationToken.None);
            Assert.Equal(k < 2, (await farm.Engine.GetMinerAsync("fake-1e300", CancellationToken.None))!.Suspect);
        }
    }

    [Fact]
    public async Task Through_mosquitto_the_controller_keeps_answering_and_sells_only_plausible_hashrate()
    {
        // Probation on but one reading long: the real miners are sold after a healthy reading; the fakes never are.
        await OnBrokerAsync("fleetguard", async (host, http, agent) =>
        {
            long seq = 0;
            for (int k = 1; k <= 3; k++)
            {
                string id = $"real-{k}";
                await agent.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry(EngineFarm.Site, "r1", id), Payload = FakeTelemetry("r1", id, "100e12", ++seq, DateTimeOffset.UtcNow), Qos = MqttQualityOfServiceLevel.AtLeastOnce });
            }

            foreach ((string id, string literal, _) in Probes)
            {
                await agent.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry(EngineFarm.Site, "r1", id), Payload = FakeTelemetry("r1", id, literal, ++seq, DateTimeOffset.UtcNow), Qos = MqttQualityOfServiceLevel.AtLeastOnce });
            }

            // Every miner, the fakes too, reported with every operation available: only their readings keep the fakes unsold.
            var status = new AgentStatusPayload
            {
                Publisher = "agent-s1-r1", Seq = ++seq, Timestamp = DateTimeOffset.UtcNow, Site = EngineFarm.Site, Rack = "r1", State = AgentState.Online,
                Capabilities = [.. Enumerable.Range(1, 3).Select(k => $"real-{k}").Concat(Probes.Select(p => p.MinerId)).Select(id => TestCapabilities.Writable(id, "antminer", quota: false))],
            };
            await agent.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.AgentStatus(EngineFarm.Site, "r1"), Payload = JsonSerializer.SerializeToUtf8Bytes(status, FarmJsonContext.Default.AgentStatusPayload), Qos = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true });

            IngestService ingest = host.Services.GetRequiredService<IngestService>();
            // Received counts a message as it comes in, Delivered and Malformed once it is judged: wait for all 9 judged.
            FarmSubscriber subscriber = ingest.Subscriber!;
            Assert.True(await Eventually.TrueAsync(() => subscriber.Received == 9 && subscriber.Delivered + subscriber.Malformed == 9, TimeSpan.FromSeconds(15)), $"received {subscriber.Received}, delivered {subscriber.Delivered}, malformed {subscriber.Malformed}");
            Assert.Equal(3, subscriber.Malformed);
            CapacityView? capacity = null;
            Assert.True(
                await Eventually.TrueAsync(
                    async () => (capacity = await http.GetFromJsonAsync("/v1/capacity", Json.CapacityView)) is { UnitsTotal: 30, MinersSuspect: 2 },
                    TimeSpan.FromSeconds(15)),
                $"capacity {capacity}");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/fleet")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/allocation")).StatusCode);
            Assert.True((await http.GetFromJsonAsync("/v1/miners/fake-1e300", Json.MinerView))!.Suspect);
            HttpResponseMessage refused = await http.PostAsJsonAsync("/v1/contracts", new NewContractRequest("absurd", "acme", "1e300 TH/s", "stratum+tcp://customer.pool.example:3333", "acme.absurd", null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), Json.NewContractRequest);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        });
    }

    [Fact]
    public async Task Through_mosquitto_one_spoofed_absurd_reading_for_a_racks_own_miner_moves_no_miner()
    {
        // Readings:SuspectHold at its default (3 min): far longer than this test.
        await OnBrokerAsync("suspecthold", async (host, http, agent) =>
        {
            ControllerEngine engine = host.Services.GetRequiredService<ControllerEngine>();
            string[] miners = [.. Enumerable.Range(1, 4).Select(k => $"real-{k}")];
            long seq = 0;
            var status = new AgentStatusPayload
            {
                Publisher = "agent-s1-r1", Seq = ++seq, Timestamp = DateTimeOffset.UtcNow, Site = EngineFarm.Site, Rack = "r1", State = AgentState.Online,
                Capabilities = [.. miners.Select(id => TestCapabilities.Writable(id, "antminer", quota: false))],
            };
            await agent.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.AgentStatus(EngineFarm.Site, "r1"), Payload = JsonSerializer.SerializeToUtf8Bytes(status, FarmJsonContext.Default.AgentStatusPayload), Qos = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true });

            // The rack's agent reports its own four miners; `absurd` gets 1e30 H/s in this one report.
            async Task ReportAsync(string? absurd = null)
            {
                DateTimeOffset at = DateTimeOffset.UtcNow;
                foreach (string id in miners)
                {
                    await agent.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry(EngineFarm.Site, "r1", id), Payload = FakeTelemetry("r1", id, id == absurd ? "1e30" : "100e12", ++seq, at), Qos = MqttQualityOfServiceLevel.AtLeastOnce });
                }
            }

            await ReportAsync();
            CapacityView? capacity = null;
            Assert.True(
                await Eventually.TrueAsync(async () => (capacity = await http.GetFromJsonAsync("/v1/capacity", Json.CapacityView)) is { UnitsTotal: 40 }, TimeSpan.FromSeconds(15)),
                $"capacity {capacity}");
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/v1/contracts", new NewContractRequest("c1", "acme", "150 TH/s", "stratum+tcp://customer.pool.example:3333", "acme.c1", null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), Json.NewContractRequest)).StatusCode);
            AllocationView before = (await http.GetFromJsonAsync("/v1/allocation", Json.AllocationView))!;
            ContractView c1 = Assert.Single(before.Contracts);
            Assert.True(c1.Shares.Count >= 2, $"c1 holds {c1.Shares.Count} miner(s)");
            long? desired = (await http.GetFromJsonAsync("/v1/fleet", Json.FleetView))!.Racks.Single(r => r.Rack == "r1").DesiredGeneration;
            string target = c1.Shares.Select(s => s.MinerId).Order(StringComparer.Ordinal).First();

            // The spoof: one absurd reading for a miner the contract holds, sent by that miner's own rack.
            await ReportAsync(absurd: target);
            Assert.True(await Eventually.TrueAsync(async () => (await http.GetFromJsonAsync($"/v1/miners/{target}", Json.MinerView))!.Suspect, TimeSpan.FromSeconds(15)), $"{target} never became suspect");

            // Five control-loop ticks with it suspect (each credits its share as suspect time, after that tick's solve).
            DateTimeOffset hour = new(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day, DateTimeOffset.UtcNow.Hour, 0, 0, TimeSpan.Zero);
            async Task<double> SuspectHoursAsync() =>
                (await engine.GetContractProofAsync("c1", hour.AddHours(-1), hour.AddHours(2), CancellationToken.None)).Hours.SelectMany(h => h.Miners).Where(m => m.MinerId == target).Sum(m => m.SuspectHours);
            double suspectHours = 0;
            Assert.True(await Eventually.TrueAsync(async () => (suspectHours = await SuspectHoursAsync()) >= 1.0 / 3600, TimeSpan.FromSeconds(20)), $"suspect share·h {suspectHours}");

            AllocationView after = (await http.GetFromJsonAsync("/v1/allocation", Json.AllocationView))!;
            Assert.Equal(before.Version, after.Version);
            Assert.Equal(before.Version, engine.Version);
            Assert.Equal(Shares(c1), Shares(Assert.Single(after.Contracts)));
            Assert.Equal(desired, (await http.GetFromJsonAsync("/v1/fleet", Json.FleetView))!.Racks.Single(r => r.Rack == "r1").DesiredGeneration);
            CapacityView held = (await http.GetFromJsonAsync("/v1/capacity", Json.CapacityView))!;
            Assert.Equal((30L, 1, 300e12), (held.UnitsTotal, held.MinersSuspect, held.MeasuredHealthyHs));

            // Plausible readings again: it clears, and still no miner moved.
            Assert.True(
                await Eventually.TrueAsync(
                    async () =>
                    {
                        await ReportAsync();
                        return !(await http.GetFromJsonAsync($"/v1/miners/{target}", Json.MinerView))!.Suspect;
                    },
                    TimeSpan.FromSeconds(20),
                    TimeSpan.FromMilliseconds(300)),
                $"{target} stayed suspect");
            Assert.Equal(before.Version, engine.Version);
            Assert.Equal(Shares(c1), Shares(Assert.Single((await http.GetFromJsonAsync("/v1/allocation", Json.AllocationView))!.Contracts)));
            Assert.Equal(desired, (await http.GetFromJsonAsync("/v1/fleet", Json.FleetView))!.Racks.Single(r => r.Rack == "r1").DesiredGeneration);
        });
    }

    /// <summary>
    /// Runs <paramref name="test"/> against a controller on a fresh mosquitto broker (<see cref="BrokerSettings"/>, its
    /// store in a temporary folder, client id "controller-{name}"), subscribed, with its local API, an operator client and
    /// rack r1's agent connected; then stops it and deletes the folder.
    /// </summary>
    private static async Task OnBrokerAsync(string name, Func<IHost, HttpClient, FarmMqttClient, Task> test)
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        string dir = Directory.CreateTempSubdirectory(name + "-").FullName;
        try
        {
            ControllerSettings settings = BrokerSettings(broker, dir, "controller-" + name);
            await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(settings.Store.Database, CancellationToken.None);
            using IHost host = ControllerHost.Build(settings, store, logging => logging.ClearProviders());
            await host.StartAsync();
            try
            {
                await host.Services.GetRequiredService<IngestService>().Subscribed;
                string tokenFile = Path.Combine(dir, LocalApiToken.DefaultFileName);
                await using LocalApiServer server = await LocalApiServer.StartAsync(host.Services.GetRequiredService<ControllerEngine>(), new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = tokenFile }, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
                using HttpClient http = OperatorHttpHandler.Client(server.Address, tokenFile);
                await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, "agent-s1-r1");
                await test(host, http, agent);
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string[] Shares(ContractView c) => [.. c.Shares.Select(s => $"{s.MinerId}:{s.Fraction:R}").Order(StringComparer.Ordinal)];

    private static Task<HttpResponseMessage> PostContractAsync(HttpClient http, string id, string hashrate, EngineFarm farm) =>
        http.PostAsJsonAsync("/v1/contracts", new NewContractRequest(id, "cust-" + id, hashrate, "stratum+tcp://customer.pool.example:3333", "acct." + id, null, farm.Clock.GetUtcNow().AddDays(30), null, 0.05m, true), Json.NewContractRequest);

    /// <summary>A controller on the broker with a store in <paramref name="dir"/>, a fast tick and probation of one reading.</summary>
    private static ControllerSettings BrokerSettings(MosquittoBroker broker, string dir, string clientId) =>
        new(
            new ControllerOptions
            {
                Site = EngineFarm.Site,
                Mqtt = new ControllerMqttOptions { Host = broker.Host, Port = broker.Port, ClientId = clientId },
                Engine = new EngineOptions { IntervalS = 0.2, ReservePercent = 0, HousePoolUrl = EngineFarm.HouseUrl, HouseWorker = EngineFarm.HouseWorker, ProbationReadings = 1, ProbationMin = 0 },
            },
            new InfluxDBClientOptions(),
            new CloudMining.Farm.Influx.Write.WriteOptions())
        {
            Store = new StoreOptions { Database = Path.Combine(dir, "c.db") },
        };
}
