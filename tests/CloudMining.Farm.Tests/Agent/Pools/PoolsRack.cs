using System.Net;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Curtailment;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Agent.Telemetry;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

/// <summary>
/// Simulated miners of several firmwares, the agent's poller + publisher + desired state store + reconciler pointed at
/// them, and (optionally) a real mosquitto with a "controller" client that publishes desired state and an observer that
/// records everything under farm/v1/#. The agent can be stopped and a new one started on the same state directory.
/// </summary>
public sealed class PoolsRack : IAsyncDisposable
{
    public const string Site = "test";
    public const string RackId = "P-01";

    /// <summary>The web password the rack's simulated stock Antminers have (root/root, their factory login).</summary>
    public const string WebPassword = "root";

    /// <summary>The web password the rack's simulated VNish miners have (VNish's factory "admin").</summary>
    public const string VnishPassword = "admin";

    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private FarmMqttClient? _controller;
    private FarmMqttClient? _observer;
    private long _controllerSeq;
    private bool _agentRunning;

    private PoolsRack(SimulatedFarm farm, AgentOptions options, MosquittoBroker? broker, TimeProvider time)
    {
        Farm = farm;
        Options = options;
        Broker = broker;
        _time = time;
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }

    public SimulatedFarm Farm { get; }

    public AgentOptions Options { get; }

    public MosquittoBroker? Broker { get; }

    public InMemoryLoggerProvider Logs { get; } = new();

    public MqttMessageCollector? Observed { get; private set; }

    public PollingService Polling { get; private set; } = null!;

    public RackEventBus Events { get; private set; } = null!;

    public AgentMqttLink Link { get; private set; } = null!;

    public TelemetryPublisher Publisher { get; private set; } = null!;

    public DesiredStateIntake Intake { get; private set; } = null!;

    public DesiredPoolStateStore Store { get; private set; } = null!;

    public PoolReconciler Reconciler { get; private set; } = null!;

    /// <summary>Every event raised by any agent instance of this rack, in order.</summary>
    public List<RackEvent> AllEvents { get; } = [];

    public SimulatedMiner this[int index] => Farm.Miners[index];

    public static string DesiredTopic => FarmTopics.Desired(Site, RackId);

    /// <summary>Starts one miner per firmware name (each configured with that firmware's profile) and, with <paramref name="mqtt"/>, a broker.</summary>
    public static async Task<PoolsRack> StartAsync(IReadOnlyList<string> firmwares, bool writeAccess = true, bool mqtt = true, TimeProvider? time = null, Action<AgentOptions>? configure = null, bool permissiveRpcWrites = true)
    {
        // Every miner on 127.0.0.1 with a kernel-chosen port: no address block to share with other tests.
        SimulatedFarm farm = await SimulatedFarm.StartAsync(new FarmOptions
        {
            Miners = firmwares.Count,
            Firmwares = firmwares,
            BaseAddress = IPAddress.Loopback,
            SharedAddress = true,
            Port = 0,
            WriteAccess = writeAccess,
            // Stock Antminer takes pools through its web CGI: serve it on a kernel-chosen port (the others have none).
            WebPort = 0,
            PermissiveRpcWrites = permissiveRpcWrites,
            // A low share difficulty so that the pool side sees shares within milliseconds, not once per 20 s.
            Customize = (_, spec) => spec with { BootDelay = TimeSpan.FromMilliseconds(300), RestartDelay = TimeSpan.FromMilliseconds(300), ShareDifficulty = 256 },
        });
        MosquittoBroker? broker = mqtt ? await MosquittoBroker.StartAsync() : null;
        var options = new AgentOptions
        {
            Site = Site,
            RackId = RackId,
            PollInterval = time is null ? TimeSpan.FromMilliseconds(400) : TimeSpan.FromSeconds(10),
            MinerTimeout = TimeSpan.FromSeconds(2),
            RetryCount = 0,
            MaxConcurrency = 16,
            ProfilesDirectory = RepoPaths.FirmwareProfiles,
            StateDirectory = Path.Combine(Path.GetTempPath(), "farm-agent-pools-" + Guid.NewGuid().ToString("N")),
            Log = new LogOptions { Directory = null },
        };
        options.CircuitBreaker.FailureThreshold = 100;
        foreach (SimulatedMiner m in farm.Miners)
        {
            options.Miners.Add(new MinerOptions { Id = m.Id, Address = m.Endpoint.Host, Port = m.Endpoint.Port, Profile = m.Firmware, WebPort = m.WebEndPoint?.Port, ChannelPort = m.ApiV3EndPoint?.Port });
        }

        // The simulated stock Antminer's web login (its factory default).
        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "antminer", Password = WebPassword });
        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "vnish", Password = VnishPassword });

        // The simulated Whatsminers' API password (the farm changed the factory one with WhatsMinerTool).
        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "whatsminer", Password = MinerSpec.DefaultApiPassword });
        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "whatsminer-v3", Password = MinerSpec.DefaultApiPassword });

        // The simulated Braiins OS+ miners' gRPC login (the simulator's default login, root/root).
        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "braiins-os", Password = WebPassword });

        if (broker is not null)
        {
            options.Mqtt.Host = broker.Host;
            options.Mqtt.Port = broker.Port;
            options.Mqtt.ReconnectMaxDelay = TimeSpan.FromMilliseconds(500);
            options.Mqtt.KeepAlive = TimeSpan.FromSeconds(5);
        }

        configure?.Invoke(options);
        var rack = new PoolsRack(farm, options, broker, time ?? TimeProvider.System);
        if (broker is not null)
        {
            await rack.StartClientsAsync();
        }

        await rack.StartAgentAsync();
        return rack;
    }

    /// <summary>Starts a fresh agent (new objects, same options and state directory), as after a restart.</summary>
    public async Task StartAgentAsync()
    {
        var tracker = new MinerHealthTracker(Options.Miners.ToArray(), _loggerFactory.CreateLogger<MinerHealthTracker>());
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        IMinerReader reader = MinerReaderFactory.Create(Options);
        Polling = new PollingService(new RackPoller(options, reader, tracker, _time), options, _time, _loggerFactory.CreateLogger<PollingService>());
        Events = new RackEventBus(_loggerFactory.CreateLogger<RackEventBus>());
        Events.Raised += (_, e) =>
        {
            lock (AllEvents)
            {
                AllEvents.Add(e);
            }
        };
        Link = new AgentMqttLink(options, _time, _loggerFactory);
        Publisher = new TelemetryPublisher(Polling, Events, Link, options, _time, _loggerFactory.CreateLogger<TelemetryPublisher>());
        FirmwareProfileCatalog catalog = FirmwareProfileCatalog.Load(Options.ProfilesDirectory ?? RepoPaths.FirmwareProfiles);
        Store = new DesiredPoolStateStore(options, catalog, tracker, Events, _loggerFactory.CreateLogger<DesiredPoolStateStore>());
        Intake = new DesiredStateIntake(Link, Store);
        MinerChannels channels = MinerChannels.Create(Options);
        var curtailment = new CurtailmentApplier(Store.ProfileOf, reader, channels, Events, _time, _loggerFactory.CreateLogger<CurtailmentApplier>());
        Reconciler = new PoolReconciler(Store, Polling, reader, channels, new PoolCredentials(Options.PoolCredentials), Events, new ReportedStatePublisher(Link, options), curtailment, options, _time, _loggerFactory.CreateLogger<PoolReconciler>());

        // In the host's order: the link first, then its users.
        await Link.StartAsync(CancellationToken.None);
        await Intake.StartAsync(CancellationToken.None);
        await Polling.StartAsync(CancellationToken.None);
        await Publisher.StartAsync(CancellationToken.None);
        await Reconciler.StartAsync(CancellationToken.None);
        _agentRunning = true;
    }

    public async Task StopAgentAsync()
    {
        if (!_agentRunning)
        {
            return;
        }

        _agentRunning = false;
        await Reconciler.StopAsync(CancellationToken.None);
        await Publisher.StopAsync(CancellationToken.None);
        await Polling.StopAsync(CancellationToken.None);
        await Intake.StopAsync(CancellationToken.None);
        await Link.StopAsync(CancellationToken.None);
        Reconciler.Dispose();
        Publisher.Dispose();
        Polling.Dispose();
        Link.Dispose();
    }

    /// <summary>A desired state from the "controller" for these miners, each with its pools.</summary>
    public static DesiredPoolStatePayload Desired(long generation, params MinerPoolAssignment[] miners) => new()
    {
        Publisher = "controller",
        Seq = 1,
        Timestamp = DateTimeOffset.UtcNow,
        Site = Site,
        Rack = RackId,
        Generation = generation,
        Miners = miners,
    };

    /// <summary>Publishes a desired state retained on the rack's desired topic, as the controller does.</summary>
    public Task PublishDesiredAsync(DesiredPoolStatePayload desired) =>
        PublishDesiredAsync(JsonSerializer.Serialize(desired with { Seq = Interlocked.Increment(ref _controllerSeq) }, FarmJsonContext.Default.DesiredPoolStatePayload));

    public async Task PublishDesiredAsync(string json)
    {
        Assert.NotNull(_controller);
        await _controller.PublishAsync(new MqttApplicationMessage { Topic = DesiredTopic, Payload = Encoding.UTF8.GetBytes(json), Qos = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true });
    }

    /// <summary>Reported states the observer received, oldest first.</summary>
    public IReadOnlyList<ReportedPoolStatePayload> ReportedOnWire =>
        Observed is null ? [] : [.. Observed.Messages.Where(m => m.Topic == FarmTopics.Reported(Site, RackId)).Select(m => JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.ReportedPoolStatePayload)!)];

    /// <summary>The retained payload on a topic as a fresh client sees it now.</summary>
    public async Task<string?> RetainedAsync(string topic)
    {
        await using FarmMqttClient fresh = await MqttTestClients.ConnectAsync(Broker!, "retained-" + Guid.NewGuid().ToString("N")[..8]);
        var collector = new MqttMessageCollector(fresh);
        await fresh.SubscribeAsync(topic);
        await Eventually.TrueAsync(() => collector.Messages.Count > 0, TimeSpan.FromSeconds(3));
        return collector.Messages.Where(m => m.Retain).Select(m => Encoding.UTF8.GetString(m.Payload.Span)).LastOrDefault();
    }

    public IReadOnlyList<RackEvent> EventsOf(string action)
    {
        lock (AllEvents)
        {
            return [.. AllEvents.Where(e => e.Action == action)];
        }
    }

    /// <summary>The miner's enabled pools in the order it uses them, straight from the simulator.</summary>
    public IReadOnlyList<(string Url, string User, int Quota)> MiningOrder(int index) =>
        [.. Farm.Miners[index].Snapshot().Pools.Where(p => p.Enabled).OrderBy(p => p.Priority).Select(p => (p.Url, p.User, p.Quota))];

    public async ValueTask DisposeAsync()
    {
        await StopAgentAsync();
        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }

        if (_observer is not null)
        {
            await _observer.DisposeAsync();
        }

        await Farm.DisposeAsync();
        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }

        _loggerFactory.Dispose();
        if (Directory.Exists(Options.StateDirectory))
        {
            Directory.Delete(Options.StateDirectory, recursive: true);
        }
    }

    private async Task StartClientsAsync()
    {
        _controller = await MqttTestClients.ConnectAsync(Broker!, "controller-" + Guid.NewGuid().ToString("N")[..8]);
        _observer = await MqttTestClients.ConnectAsync(Broker!, "observer-" + Guid.NewGuid().ToString("N")[..8]);
        Observed = new MqttMessageCollector(_observer);
        Assert.True((await _observer.SubscribeAsync(FarmTopics.Root + "/#")).AllGranted);
    }
}
