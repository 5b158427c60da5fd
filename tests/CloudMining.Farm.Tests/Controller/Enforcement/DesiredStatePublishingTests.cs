using System.Text;
using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Enforcement;

/// <summary>Desired pool state per rack on a real mosquitto: retained, versioned, only on change; applied generations tracked, laggards flagged.</summary>
[Trait("Category", "Integration")]
public sealed class DesiredStatePublishingTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-enforce-").FullName;
    private MosquittoBroker _broker = null!;
    private EngineFarm _farm = null!;
    private EngineService _service = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        var mqtt = new ControllerMqttOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "controller-test" };
        var client = new FarmMqttClient(EngineService.ClientOptions(mqtt));
        var publisher = new MqttFarmPublisher(client, new PublisherSequence(Path.Combine(_dir, "seq")), "controller");

        // The service's own timer is set far out: the test drives ticks with the manual clock.
        _farm = await EngineFarm.StartAsync(o => { o.LagAfterS = 120; o.IntervalS = 3600; }, publisher: publisher);
        _service = new EngineService(new ControllerOptions { Site = EngineFarm.Site, Mqtt = mqtt, Engine = _farm.Options }, _farm.Engine, client, _farm.Clock);
        await _service.StartAsync(CancellationToken.None);
        await _service.Subscribed;
    }

    public async Task DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        await _farm.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public void Dispose() => _service?.Dispose();

    [Fact]
    public async Task Desired_state_is_retained_per_rack_with_a_new_generation_only_where_it_changed()
    {
        await using FarmMqttClient watcher = await MqttTestClients.ConnectAsync(_broker, "watcher");
        var seen = new MqttMessageCollector(watcher);
        await watcher.SubscribeAsync($"farm/v1/{EngineFarm.Site}/+/desired");
        _farm.WithMiners(racks: 2, perRack: 2, th: 100);

        await _farm.RunAsync(Step, Step);
        Assert.True(await Eventually.TrueAsync(() => seen.Messages.Count >= 2, Wait));
        Assert.Equal([("r1", 1L), ("r2", 1L)], Desired(seen).Select(d => (d.Rack, d.Generation)).Order());
        Assert.All(Desired(seen).SelectMany(d => d.Miners), m => Assert.Null(m.ContractId));
        Assert.All(Desired(seen).SelectMany(d => d.Miners), m => Assert.Equal(new PoolTarget(EngineFarm.HouseUrl, EngineFarm.HouseWorker, 0), Assert.Single(m.Pools)));

        await _farm.RunAsync(TimeSpan.FromMinutes(3), Step); // nothing changes: nothing is re-published
        ContractView c1 = await _farm.AddContractAsync("c1", 100);
        string rack = Assert.Single(c1.Shares).Rack;
        Assert.True(await Eventually.TrueAsync(() => seen.Messages.Count >= 3, Wait));
        await _farm.RunAsync(TimeSpan.FromMinutes(1), Step);

        // The flush marker: a later publish on the same topic tree proves nothing else was on its way.
        await using FarmMqttClient marker = await MqttTestClients.ConnectAsync(_broker, "marker");
        await marker.PublishAsync(new MqttApplicationMessage { Topic = $"farm/v1/{EngineFarm.Site}/zz/desired", Payload = "{}"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce });
        Assert.True(await Eventually.TrueAsync(() => seen.Messages.Any(m => m.Topic.Contains("/zz/", StringComparison.Ordinal)), Wait));
        List<DesiredPoolStatePayload> all = Desired(seen);
        Assert.Equal(3, all.Count);
        DesiredPoolStatePayload changed = all[2];
        Assert.Equal((rack, 2L), (changed.Rack, changed.Generation));
        MinerPoolAssignment served = Assert.Single(changed.Miners, m => m.ContractId == "c1");
        Assert.Equal(new PoolTarget("stratum+tcp://customer.pool.example:3333", "acct.c1", 0), Assert.Single(served.Pools));
        Assert.Equal(2, _farm.Engine.Version);

        // Retained: an agent connecting now gets the latest state of each rack at once.
        await using FarmMqttClient late = await MqttTestClients.ConnectAsync(_broker, "late-agent");
        var retained = new MqttMessageCollector(late);
        await late.SubscribeAsync($"farm/v1/{EngineFarm.Site}/+/desired");
        Assert.True(await Eventually.TrueAsync(() => retained.Messages.Count >= 2, Wait));
        Assert.All(retained.Messages, m => Assert.True(m.Retain));
        Assert.Equal(
            [("r1", rack == "r1" ? 2L : 1L), ("r2", rack == "r2" ? 2L : 1L)],
            Desired(retained).Select(d => (d.Rack, d.Generation)).Order());
    }

    [Fact]
    public async Task Reported_generations_are_tracked_and_a_rack_that_does_not_apply_is_flagged_lagging()
    {
        _farm.WithMiners(racks: 2, perRack: 2, th: 100);
        await _farm.RunAsync(Step, Step);
        Assert.Equal(1, _farm.Engine.Version);

        await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(_broker, "agent-s1-r1");
        var report = new ReportedPoolStatePayload
        {
            Publisher = "agent-s1-r1",
            Seq = 1,
            Timestamp = _farm.Clock.GetUtcNow(),
            Site = EngineFarm.Site,
            Rack = "r1",
            Generation = 1,
            Miners = [],
            Errors = [],
        };
        await agent.PublishAsync(new MqttApplicationMessage
        {
            Topic = FarmTopics.Reported(EngineFarm.Site, "r1"),
            Payload = JsonSerializer.SerializeToUtf8Bytes(report, FarmJsonContext.Default.ReportedPoolStatePayload),
            Qos = MqttQualityOfServiceLevel.AtLeastOnce,
        });
        Assert.True(await Eventually.TrueAsync(() => _farm.Engine.Enforcement.Find("r1")?.AppliedGeneration == 1, Wait));

        await _farm.RunAsync(TimeSpan.FromSeconds(60), Step);
        Assert.DoesNotContain((await _farm.Engine.GetFleetAsync(CancellationToken.None)).Racks, r => r.Lagging);

        await _farm.RunAsync(TimeSpan.FromSeconds(90), Step); // past the 120 s limit
        FleetView fleet = await _farm.Engine.GetFleetAsync(CancellationToken.None);
        RackView r1 = fleet.Racks.Single(r => r.Rack == "r1");
        RackView r2 = fleet.Racks.Single(r => r.Rack == "r2");
        Assert.Equal((1L, 1L, false), (r1.DesiredGeneration, r1.AppliedGeneration, r1.Lagging));
        Assert.Equal((1L, (long?)null, true), (r2.DesiredGeneration, r2.AppliedGeneration, r2.Lagging));
        InMemoryLoggerProvider.LogRecord lagLog = Assert.Single(_farm.Log.Records, r => r.Message.Contains(" lags:", StringComparison.Ordinal));
        Assert.Equal(("r2", Microsoft.Extensions.Logging.LogLevel.Warning), (lagLog.Property("Rack"), lagLog.Level));

        // A new generation r1 has not applied yet is not lag until the limit has passed for it too.
        await _farm.AddContractAsync("c1", 200);
        RackView r1Now = (await _farm.Engine.GetFleetAsync(CancellationToken.None)).Racks.Single(r => r.Rack == "r1");
        Assert.False(r1Now.Lagging);
    }

    private static List<DesiredPoolStatePayload> Desired(MqttMessageCollector collector) =>
        [.. collector.Messages
            .Where(m => !m.Topic.Contains("/zz/", StringComparison.Ordinal))
            .Select(m => JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.DesiredPoolStatePayload)!)];
}
