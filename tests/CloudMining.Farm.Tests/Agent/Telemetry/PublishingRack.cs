using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Telemetry;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Polling;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Telemetry;

/// <summary>
/// A real mosquitto, a simulated rack, the agent's poller + publisher pointed at both, and an observer subscribed to
/// farm/v1/# (persistent session, so it also gets what arrives while it reconnects) through <see cref="FarmSubscriber"/>.
/// </summary>
public sealed class PublishingRack : IAsyncDisposable
{
    private readonly ConcurrentQueue<FarmReceivedMessage> _received = new();
    private readonly ConcurrentQueue<MqttApplicationMessage> _raw = new();
    private readonly ILoggerFactory _loggerFactory;
    private bool _agentStopped;

    private PublishingRack(MosquittoBroker broker, SimulatedRack rack, InMemoryLoggerProvider logs)
    {
        Broker = broker;
        Rack = rack;
        Logs = logs;
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
    }

    public MosquittoBroker Broker { get; }

    public SimulatedRack Rack { get; }

    public InMemoryLoggerProvider Logs { get; }

    public PollingService Polling { get; private set; } = null!;

    public AgentMqttLink Link { get; private set; } = null!;

    public TelemetryPublisher Publisher { get; private set; } = null!;

    public CloudMining.Farm.Agent.Events.RackEventBus Events { get; private set; } = null!;

    public FarmMqttClient Observer { get; private set; } = null!;

    public FarmSubscriber Subscriber { get; private set; } = null!;

    /// <summary>Typed messages the observer accepted (duplicates already dropped), in arrival order.</summary>
    public IReadOnlyList<FarmReceivedMessage> Received => [.. _received];

    /// <summary>Every raw message the observer got, duplicates included, for schema validation.</summary>
    public IReadOnlyList<MqttApplicationMessage> Raw => [.. _raw];

    public IEnumerable<T> Of<T>() where T : FarmMessage => Received.Select(m => m.Payload).OfType<T>();

    /// <summary>The agent's serial service when started with <c>serials: true</c> (as the agent host wires it), else null.</summary>
    public CloudMining.Farm.Agent.Serials.MinerSerialService? Serials { get; private set; }

    /// <param name="serials">
    /// Give the miners their web/gRPC interfaces (<paramref name="customize"/> may change their logins) and run the
    /// agent's serial service with the poller, as the agent host does.
    /// </param>
    public static async Task<PublishingRack> StartAsync(int miners, Action<CloudMining.Farm.Agent.Configuration.AgentOptions>? configure = null, string[]? firmwares = null,
        bool serials = false, Func<CloudMining.Farm.Simulator.MinerSpec, CloudMining.Farm.Simulator.MinerSpec>? customize = null)
    {
        MosquittoBroker broker = await MosquittoBroker.StartAsync();
        SimulatedRack rack = await SimulatedRack.StartAsync(miners, TimeSpan.FromMilliseconds(1000), minerTimeout: TimeSpan.FromMilliseconds(300), firmwares: firmwares, web: serials, customize: customize);
        configure?.Invoke(rack.Options);
        rack.Options.Mqtt.Host = broker.Host;
        rack.Options.Mqtt.Port = broker.Port;
        rack.Options.Mqtt.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
        rack.Options.Mqtt.KeepAlive = TimeSpan.FromSeconds(5);
        var publishing = new PublishingRack(broker, rack, new InMemoryLoggerProvider());
        await publishing.StartObserverAsync();
        publishing.StartAgent(serials);
        if (publishing.Serials is not null)
        {
            await publishing.Serials.StartAsync(CancellationToken.None);
        }

        await publishing.Link.StartAsync(CancellationToken.None);
        await publishing.Polling.StartAsync(CancellationToken.None);
        await publishing.Publisher.StartAsync(CancellationToken.None);
        return publishing;
    }

    private void StartAgent(bool serials)
    {
        var tracker = new MinerHealthTracker(Rack.Options.Miners.ToArray(), _loggerFactory.CreateLogger<MinerHealthTracker>());
        IOptions<CloudMining.Farm.Agent.Configuration.AgentOptions> options = Options.Create(Rack.Options);
        Serials = serials
            ? new CloudMining.Farm.Agent.Serials.MinerSerialService(CloudMining.Farm.Agent.Channels.MinerChannels.Create(Rack.Options),
                CloudMining.Farm.Shared.Firmware.FirmwareProfileCatalog.Load(Rack.Options.ProfilesDirectory!), TimeProvider.System,
                _loggerFactory.CreateLogger<CloudMining.Farm.Agent.Serials.MinerSerialService>())
            : null;
        var poller = new RackPoller(options, CloudMining.Farm.Agent.Hosting.MinerReaderFactory.Create(Rack.Options), tracker, TimeProvider.System, Serials);
        Polling = new PollingService(poller, options, TimeProvider.System, _loggerFactory.CreateLogger<PollingService>());
        Events = new CloudMining.Farm.Agent.Events.RackEventBus(_loggerFactory.CreateLogger<CloudMining.Farm.Agent.Events.RackEventBus>());
        Link = new AgentMqttLink(options, TimeProvider.System, _loggerFactory);
        Publisher = new TelemetryPublisher(Polling, Events, Link, options, TimeProvider.System, _loggerFactory.CreateLogger<TelemetryPublisher>());
    }

    private async Task StartObserverAsync()
    {
        Observer = new FarmMqttClient(
            MqttTestClients.Options(Broker, "observer-" + Guid.NewGuid().ToString("N")[..8])
                .WithCleanSession(false)
                .WithAutoReconnect(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500))
                .Build(),
            _loggerFactory.CreateLogger<FarmMqttClient>());
        Observer.ApplicationMessageReceivedAsync += e =>
        {
            _raw.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        Subscriber = new FarmSubscriber(
            Observer,
            (m, _) =>
            {
                _received.Enqueue(m);
                return Task.CompletedTask;
            },
            _loggerFactory.CreateLogger<FarmSubscriber>());
        await Observer.ConnectAsync();
        Assert.True((await Subscriber.SubscribeAsync([FarmTopics.Root + "/#"])).AllGranted);
    }

    /// <summary>The retained payload on a topic as a fresh client sees it now.</summary>
    public async Task<string?> RetainedAsync(string topic)
    {
        await using FarmMqttClient fresh = await MqttTestClients.ConnectAsync(Broker, "retained-" + Guid.NewGuid().ToString("N")[..8]);
        var collector = new MqttMessageCollector(fresh);
        await fresh.SubscribeAsync(topic);
        await Eventually.TrueAsync(() => collector.Messages.Count > 0, TimeSpan.FromSeconds(3));
        return collector.Messages.Where(m => m.Retain).Select(m => Encoding.UTF8.GetString(m.Payload.Span)).LastOrDefault();
    }

    public async Task StopAgentAsync()
    {
        if (_agentStopped)
        {
            return;
        }

        _agentStopped = true;
        await Publisher.StopAsync(CancellationToken.None);
        await Polling.StopAsync(CancellationToken.None);
        if (Serials is not null)
        {
            await Serials.StopAsync(CancellationToken.None);
        }

        await Link.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAgentAsync();
        Polling.Dispose();
        Serials?.Dispose();
        Publisher.Dispose();
        Link.Dispose();
        await Observer.DisposeAsync();
        await Rack.DisposeAsync();
        await Broker.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
