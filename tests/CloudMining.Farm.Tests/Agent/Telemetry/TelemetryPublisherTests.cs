using System.Text;
using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Telemetry;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Tests.Agent.Polling;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Telemetry;

[Trait("Category", "Integration")]
public sealed class TelemetryPublisherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly JsonSchemaSubsetValidatorSet Schemas = new();

    private static string Dump(PublishingRack p) =>
        string.Join(Environment.NewLine, p.Received.TakeLast(30).Select(m => $"{m.TopicName} seq={m.Payload.Seq}"))
        + Environment.NewLine + string.Join(Environment.NewLine, p.Logs.Records.Where(r => r.Level >= LogLevel.Warning).TakeLast(20).Select(r => r.Message));

    [Fact]
    public async Task Every_simulated_miner_gets_telemetry_and_every_payload_validates_against_its_schema()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 4);
        string[] ids = [.. p.Rack.Farm.Miners.Select(m => m.Id)];

        Assert.True(
            await Eventually.TrueAsync(() => ids.All(id => p.Of<MinerTelemetryPayload>().Count(t => t.MinerId == id && t.Hashrate5sHs > 0) >= 2), Patience),
            "two live telemetry messages per miner: " + Dump(p));

        // Every message on the wire, of every kind, follows the schema it names.
        Assert.Contains(p.Raw, m => m.Topic.EndsWith("/status", StringComparison.Ordinal));
        Assert.Contains(p.Raw, m => m.Topic.EndsWith("/state", StringComparison.Ordinal));
        Assert.Contains(p.Raw, m => m.Topic.EndsWith("/events", StringComparison.Ordinal));
        foreach (var m in p.Raw)
        {
            IReadOnlyList<string> problems = Schemas.Validate(m.Payload.Span);
            Assert.True(problems.Count == 0, $"{m.Topic}: {string.Join("; ", problems)}\n{Encoding.UTF8.GetString(m.Payload.Span)}");
        }

        Assert.All(p.Of<MinerTelemetryPayload>(), t => Assert.Equal(FarmTopics.MinerTelemetry("test", "T-01", t.MinerId), p.Received.First(r => r.Payload == t).TopicName));
        Assert.All(ids, id => Assert.Contains(p.Of<MinerStatePayload>(), s => s.MinerId == id && s.State == MinerState.Hashing && s.PreviousState is null));
        Assert.Contains(p.Of<FarmEventPayload>(), e => e.Kind == "agent" && e.Action == "agent-started");

        // One publisher, one strictly increasing seq over everything it sent.
        long[] seqs = [.. p.Received.Select(r => r.Payload.Seq)];
        Assert.Equal(seqs.Length, seqs.Distinct().Count());
        Assert.All(p.Received, r => Assert.Equal("agent-test-T-01", r.Payload.Publisher));

        // The status is retained and says online, with what the agent polls and how often.
        string? retained = await p.RetainedAsync(FarmTopics.AgentStatus("test", "T-01"));
        Assert.NotNull(retained);
        AgentStatusPayload status = JsonSerializer.Deserialize(retained, FarmJsonContext.Default.AgentStatusPayload)!;
        Assert.Equal(AgentState.Online, status.State);
        Assert.Equal(4, status.MinersConfigured);
        Assert.Equal(1.0, status.PollIntervalS);
        Assert.False(string.IsNullOrEmpty(status.AgentVersion));
        Assert.Equal(0, p.Subscriber.Malformed);
    }

    [Fact]
    public async Task A_miners_state_message_carries_the_serial_its_firmware_reports_and_none_where_it_gives_none()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 4, firmwares: ["luxos", "antminer", "avalon", "whatsminer"]);
        var expected = p.Rack.Farm.Miners.ToDictionary(m => m.Id, m => CloudMining.Farm.Simulator.Control.MinerInfo.From(m).ApiSerial);
        Assert.Equal(3, expected.Values.Count(s => s is not null));

        Assert.True(
            await Eventually.TrueAsync(() => expected.Keys.All(id => p.Of<MinerStatePayload>().Any(s => s.MinerId == id && s.State == MinerState.Hashing)), Patience),
            "a hashing state message per miner: " + Dump(p));
        foreach ((string id, string? serial) in expected)
        {
            MinerStatePayload state = p.Of<MinerStatePayload>().First(s => s.MinerId == id && s.State == MinerState.Hashing);
            Assert.Equal(serial, state.Serial);
        }

        foreach (var m in p.Raw.Where(m => m.Topic.EndsWith("/state", StringComparison.Ordinal)))
        {
            IReadOnlyList<string> problems = Schemas.Validate(m.Payload.Span);
            Assert.True(problems.Count == 0, $"{m.Topic}: {string.Join("; ", problems)}\n{Encoding.UTF8.GetString(m.Payload.Span)}");
        }
    }

    [Fact]
    public async Task A_rack_event_raised_on_the_bus_is_published_on_the_events_topic_and_logged()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 1);
        Assert.True(await Eventually.TrueAsync(() => p.Of<FarmEventPayload>().Any(e => e.Action == "agent-started"), Patience), "agent started: " + Dump(p));

        p.Events.Raise(CloudMining.Farm.Agent.Events.RackEvent.Warning("relay", "power-cycle", p.Rack[0].Id, "watchdog: not answering for 60 s"));

        Assert.True(
            await Eventually.TrueAsync(() => p.Of<FarmEventPayload>().Any(e => e.Kind == "relay" && e.Action == "power-cycle" && e.Severity == "warning" && e.MinerId == p.Rack[0].Id && e.Detail == "watchdog: not answering for 60 s"), Patience),
            "relay event on the wire: " + Dump(p));
        Assert.Contains(p.Logs.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("power-cycle", StringComparison.Ordinal) && r.Message.Contains(p.Rack[0].Id, StringComparison.Ordinal));
        Assert.Equal("power-cycle", Assert.Single(p.Events.Recent).Action);
    }

    [Fact]
    public async Task A_hung_miner_and_a_powered_off_miner_produce_state_changes_and_events_and_recovery_is_announced()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 4);
        string hung = p.Rack[1].Id;
        string off = p.Rack[2].Id;
        Assert.True(
            await Eventually.TrueAsync(() => p.Of<MinerStatePayload>().Count(s => s.State == MinerState.Hashing) == 4, Patience),
            "all hashing first: " + Dump(p));

        p.Rack[1].InjectFault(MinerFault.Hang());
        p.Rack[2].SetPower(false);
        bool Unreachable(string id) =>
            p.Of<MinerStatePayload>().Any(s => s.MinerId == id && s.State == MinerState.Unreachable && s.PreviousState == MinerState.Hashing)
            && p.Of<FarmEventPayload>().Any(e => e.MinerId == id && e.Kind == "alarm" && e.Action == "miner-unreachable" && e.Severity == "warning");
        Assert.True(await Eventually.TrueAsync(() => Unreachable(hung) && Unreachable(off), Patience), "unreachable state + event: " + Dump(p));
        Assert.Contains(p.Of<MinerStatePayload>(), s => s.MinerId == hung && s.Reason!.StartsWith("Timeout", StringComparison.Ordinal));

        // While faulted: no telemetry for them (no fresh reading), but the healthy ones go on, and one state message only.
        long mark = p.Of<MinerTelemetryPayload>().Max(t => t.Seq);
        Assert.True(await Eventually.TrueAsync(() => p.Of<MinerTelemetryPayload>().Count(t => t.Seq > mark && t.MinerId == p.Rack[0].Id) >= 2, Patience), Dump(p));
        Assert.DoesNotContain(p.Of<MinerTelemetryPayload>(), t => t.Seq > mark && (t.MinerId == hung || t.MinerId == off));
        Assert.Single(p.Of<MinerStatePayload>(), s => s.MinerId == hung && s.State == MinerState.Unreachable);

        p.Rack[1].ClearFaults();
        p.Rack[2].SetPower(true);
        bool Recovered(string id) =>
            p.Of<MinerStatePayload>().Any(s => s.MinerId == id && s.PreviousState == MinerState.Unreachable)
            && p.Of<FarmEventPayload>().Any(e => e.MinerId == id && e.Action == "miner-recovered" && e.Severity == "info");
        Assert.True(await Eventually.TrueAsync(() => Recovered(hung) && Recovered(off), Patience), "recovery: " + Dump(p));
        foreach (var m in p.Raw)
        {
            Assert.Empty(Schemas.Validate(m.Payload.Span));
        }
    }

    [Fact]
    public async Task The_will_marks_the_agent_offline_when_its_connection_dies_and_it_says_online_again_after_reconnecting()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 2);
        bool StatusSaid(AgentState state, int times) => p.Of<AgentStatusPayload>().Count(s => s.State == state) >= times;
        Assert.True(await Eventually.TrueAsync(() => StatusSaid(AgentState.Online, 1), Patience), Dump(p));
        Assert.True(p.Link.Client!.Options.WillMessage is { Retain: true } will && will.Topic == FarmTopics.AgentStatus("test", "T-01"));

        // A cut without DISCONNECT: the broker publishes the will (state offline) for the agent.
        await p.Link.Client!.AbortConnectionAsync();
        Assert.True(await Eventually.TrueAsync(() => StatusSaid(AgentState.Offline, 1), Patience), "will arrived: " + Dump(p));
        Assert.True(await Eventually.TrueAsync(() => StatusSaid(AgentState.Online, 2), Patience), "online re-asserted after reconnect: " + Dump(p));
        Assert.Contains("\"online\"", await p.RetainedAsync(FarmTopics.AgentStatus("test", "T-01")), StringComparison.Ordinal);

        // A graceful stop leaves a fresh, retained offline status and an agent-stopped event behind.
        long before = p.Received.Max(r => r.Payload.Seq);
        await p.StopAgentAsync();
        Assert.True(await Eventually.TrueAsync(() => p.Of<FarmEventPayload>().Any(e => e.Action == "agent-stopped"), Patience), Dump(p));
        string? retained = await p.RetainedAsync(FarmTopics.AgentStatus("test", "T-01"));
        AgentStatusPayload last = JsonSerializer.Deserialize(retained!, FarmJsonContext.Default.AgentStatusPayload)!;
        Assert.Equal(AgentState.Offline, last.State);
        Assert.True(last.Seq > before, $"the goodbye status has a fresh seq ({last.Seq} > {before})");
    }

    [Fact]
    public async Task Telemetry_published_while_the_broker_is_down_arrives_afterwards_in_order_and_none_is_lost()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 3);
        Assert.True(await Eventually.TrueAsync(() => p.Of<MinerTelemetryPayload>().Count() >= 6, Patience), Dump(p));

        await p.Broker.StopAsync();
        DateTimeOffset down = DateTimeOffset.UtcNow;
        long cyclesAtStop = p.Polling.LastCycle!.Cycle;

        // Polling goes on without the broker, and what it publishes waits on disk.
        Assert.True(await Eventually.TrueAsync(() => p.Polling.LastCycle!.Cycle >= cyclesAtStop + 3, Patience), "polling continued during the outage");
        Assert.True(await Eventually.TrueAsync(() => p.Link.Client!.OfflineQueue!.Count >= 6, Patience), "telemetry queued on disk");
        await p.Broker.StartAgainAsync();
        DateTimeOffset up = DateTimeOffset.UtcNow;

        Assert.True(
            await Eventually.TrueAsync(() => p.Of<MinerTelemetryPayload>().Count(t => t.Timestamp > up) >= 3, Patience),
            "telemetry flows again: " + Dump(p));
        MinerTelemetryPayload[] duringOutage = [.. p.Of<MinerTelemetryPayload>().Where(t => t.Timestamp > down && t.Timestamp < up)];
        Assert.True(duringOutage.Length >= 6, $"{duringOutage.Length} telemetry messages from the outage arrived");

        // None lost: the agent's seq has no gap from its first message to its last (every message goes to farm/v1/#).
        // Distinct: mosquitto publishes the agent's will when it shuts down, and the retained will can come again on
        // re-subscribe; the subscriber lets wills through its duplicate filter on purpose.
        long[] seqs = [.. p.Received.Select(r => r.Payload.Seq).Distinct().Order()];
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Length).Select(i => (long)i), seqs);

        // In order: per topic, arrival order is seq order.
        foreach (var topic in p.Received.Where(r => r.Payload is not AgentStatusPayload { State: AgentState.Offline }).GroupBy(r => r.TopicName))
        {
            long[] arrival = [.. topic.Select(r => r.Payload.Seq)];
            Assert.Equal(arrival.Order(), arrival);
        }

        Assert.Equal(0, p.Link.FailedPublishes);
    }

    [Fact]
    public async Task A_frozen_broker_does_not_slow_polling_down()
    {
        await using PublishingRack p = await PublishingRack.StartAsync(miners: 3);
        Assert.True(await Eventually.TrueAsync(() => p.Of<MinerTelemetryPayload>().Count() >= 3, Patience), Dump(p));

        // SIGSTOP: the socket stays open but nothing is acknowledged, the worst case for a naive publisher.
        p.Broker.Pause();
        try
        {
            long cycle = p.Polling.LastCycle!.Cycle;
            Assert.True(await Eventually.TrueAsync(() => p.Polling.LastCycle!.Cycle >= cycle + 3, Patience), "polling continued");
            Assert.True(p.Polling.LastCycle!.Duration < TimeSpan.FromSeconds(1), $"cycle took {p.Polling.LastCycle!.Duration}");
            Assert.True(await Eventually.TrueAsync(() => p.Link.Client!.OfflineQueue!.Count >= 6, Patience), "messages wait on disk");
        }
        finally
        {
            p.Broker.Resume();
        }

        long queuedMark = p.Link.Published;
        Assert.True(await Eventually.TrueAsync(() => p.Link.Client!.OfflineQueue!.Count == 0 && p.Link.Published > queuedMark, Patience), "the queue drained after the broker woke up");
    }

    [Fact]
    public async Task Without_a_broker_host_the_agent_only_polls_and_says_so_once()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(2, TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(300));
        var logs = new InMemoryLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs));
        IOptions<AgentOptions> options = Options.Create(rack.Options);
        using var polling = new PollingService(rack.CreatePoller(logs, TimeProvider.System), options, TimeProvider.System, logs.CreateLogger<PollingService>());
        using var link = new AgentMqttLink(options, TimeProvider.System, factory);
        using var publisher = new TelemetryPublisher(polling, new CloudMining.Farm.Agent.Events.RackEventBus(logs.CreateLogger<CloudMining.Farm.Agent.Events.RackEventBus>()), link, options, TimeProvider.System, factory.CreateLogger<TelemetryPublisher>());
        await link.StartAsync(CancellationToken.None);
        await polling.StartAsync(CancellationToken.None);
        await publisher.StartAsync(CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => polling.LastCycle is { Cycle: >= 2 }, Patience), "polling runs");
        await publisher.StopAsync(CancellationToken.None);
        await polling.StopAsync(CancellationToken.None);
        await link.StopAsync(CancellationToken.None);
        Assert.Null(link.Client);
        Assert.False(link.IsOpen);
        Assert.Single(logs.Records, r => r.Message.Contains("MQTT publishing is off", StringComparison.Ordinal) && r.Message.Contains("Agent:Mqtt:Host", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(rack.Options.StateDirectory, "mqtt-queue")));
    }
}
