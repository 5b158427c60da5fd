using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.OfflineQueue;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>
/// Publishes the rack over MQTT (farm/v1): retained agent status with a last will, per-miner telemetry every cycle,
/// state changes and events. The polling loop only hands each cycle to a bounded channel; everything slow (JSON, the
/// disk offline queue, the network) happens on this service's own task, so publishing never delays polling.
/// </summary>
public sealed partial class TelemetryPublisher : BackgroundService
{
    /// <summary>Cycles waiting for the publisher; beyond this the oldest is dropped rather than polling waiting.</summary>
    public const int MaxPendingCycles = 64;

    private static readonly TimeSpan DrainOnStop = TimeSpan.FromSeconds(5);

    private readonly PollingService polling;
    private readonly RackEventBus events;
    private readonly AgentOptions options;
    private readonly TimeProvider time;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger<TelemetryPublisher> logger;
    private readonly Channel<Work> work;
    private readonly Dictionary<string, MinerState> lastStates = new(StringComparer.Ordinal);
    private readonly string publisher;
    private FarmMqttClient? client;
    private PublisherSequence? sequence;
    private bool publishFailing;
    private long droppedCycles;
    private long failedPublishes;
    private long published;
    private Func<MqttApplicationMessage, CancellationToken, Task>? desiredHandler;
    private bool desiredSubscribed;
    private Func<IReadOnlyList<MinerCapabilities>>? capabilities;

    public TelemetryPublisher(PollingService polling, RackEventBus events, IOptions<AgentOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.events = events ?? throw new ArgumentNullException(nameof(events));
        this.polling = polling ?? throw new ArgumentNullException(nameof(polling));
        this.options = options.Value;
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        logger = loggerFactory.CreateLogger<TelemetryPublisher>();
        publisher = this.options.Mqtt.Enabled ? AgentMqttClientOptions.ClientId(this.options) : string.Empty;
        work = Channel.CreateBounded<Work>(
            new BoundedChannelOptions(MaxPendingCycles) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref droppedCycles));
    }

    /// <summary>The MQTT client while publishing runs (tests: abort its connection, read its offline queue).</summary>
    public FarmMqttClient? Client => client;

    /// <summary>Messages handed to the client (queued on disk or sent).</summary>
    public long Published => Interlocked.Read(ref published);

    public long FailedPublishes => Interlocked.Read(ref failedPublishes);

    /// <summary>Cycles dropped because the publisher fell <see cref="MaxPendingCycles"/> behind.</summary>
    public long DroppedCycles => Interlocked.Read(ref droppedCycles);

    /// <summary>
    /// Hands every message on this rack's desired topic (<c>farm/v1/{site}/{rack}/desired</c>, the only topic the
    /// agent's ACL lets it read) to <paramref name="handler"/>. The subscription is made once connected; the client
    /// renews it after each reconnect, and the broker then re-sends the retained state. Call before the service starts.
    /// </summary>
    public void UseDesiredPoolState(Func<MqttApplicationMessage, CancellationToken, Task> handler) =>
        desiredHandler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <summary>Puts the miners' capabilities (bounded by <see cref="CapabilityBudget"/>) into every online status; call before the service starts.</summary>
    public void UseCapabilities(Func<IReadOnlyList<MinerCapabilities>> source) =>
        capabilities = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>Queues a fresh online status (retained) behind what is already queued: the capabilities changed.</summary>
    public void QueueStatus() => work.Writer.TryWrite(Work.StatusChanged);

    /// <summary>Queues the rack's reported pool state (QoS 1, retained) behind what is already queued; publisher, seq and ts are stamped here.</summary>
    public void QueueReported(ReportedPoolStatePayload report)
    {
        ArgumentNullException.ThrowIfNull(report);
        work.Writer.TryWrite(new Work(null, null, report));
    }

    private static string AgentVersion =>
        typeof(TelemetryPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Mqtt.Enabled)
        {
            logger.LogInformation("MQTT publishing is off because Agent:Mqtt:Host is not set; the agent polls and writes status.json only");
            return;
        }

        try
        {
            sequence = new PublisherSequence(Path.Combine(options.StateDirectory, "mqtt-seq"));
            byte[] will = Serialize(Status(AgentState.Offline, withCapabilities: false), FarmJsonContext.Default.AgentStatusPayload);
            client = new FarmMqttClient(AgentMqttClientOptions.Build(options, will, time), loggerFactory.CreateLogger<FarmMqttClient>());
        }
        catch (Exception e) when (e is MqttConfigurationException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The agent's first job is polling; a broken MQTT setup must not stop it.
            logger.LogError("MQTT publishing is off: {Error}; fix Agent:Mqtt and restart the agent", e.Message);
            return;
        }

        // Every (re)connect re-asserts "online": after a network cut the broker has published the will meanwhile.
        client.ConnectedAsync += _ =>
        {
            work.Writer.TryWrite(Work.Connected);
            return Task.CompletedTask;
        };
        if (desiredHandler is { } onDesired)
        {
            string desiredTopic = FarmTopics.Desired(options.Site, options.RackId);
            client.ApplicationMessageReceivedAsync += e =>
                string.Equals(e.ApplicationMessage.Topic, desiredTopic, StringComparison.Ordinal) ? onDesired(e.ApplicationMessage, stoppingToken) : Task.CompletedTask;
        }

        polling.CycleCompleted += OnCycleCompleted;
        events.Raised += OnRackEvent;
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "Publishing rack {RackId} to {Broker} as {ClientId} under {Topic}; offline queue in {QueueDirectory}",
                options.RackId, options.Mqtt.ToString(), publisher, FarmTopics.AgentStatus(options.Site, options.RackId)[..^"/status".Length], AgentMqttClientOptions.QueueDirectory(options));
        }

        await client.StartAsync(stoppingToken);
        await PublishAsync(FarmTopics.Events(options.Site, options.RackId), Event("agent", "info", "agent-started", null, $"farm-agent {AgentVersion} polling {options.Miners.Count} miners"), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, stoppingToken);
        await foreach (Work item in work.Reader.ReadAllAsync(stoppingToken))
        {
            if (item.Cycle is { } cycle)
            {
                await PublishCycleAsync(cycle, stoppingToken);
            }
            else if (item.Event is { } rackEvent)
            {
                await PublishAsync(FarmTopics.Events(options.Site, options.RackId), Event(rackEvent.Kind, rackEvent.Severity, rackEvent.Action, rackEvent.MinerId, rackEvent.Detail), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, stoppingToken);
            }
            else if (item.Reported is { } report)
            {
                await PublishAsync(FarmTopics.Reported(options.Site, options.RackId), report with { Publisher = publisher, Seq = sequence!.Next(), Timestamp = time.GetUtcNow() }, FarmJsonContext.Default.ReportedPoolStatePayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, stoppingToken);
            }
            else
            {
                await PublishAsync(FarmTopics.AgentStatus(options.Site, options.RackId), Status(AgentState.Online), FarmJsonContext.Default.AgentStatusPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, stoppingToken);
                if (!item.StatusOnly)
                {
                    await SubscribeDesiredAsync(stoppingToken);
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        polling.CycleCompleted -= OnCycleCompleted;
        events.Raised -= OnRackEvent;
        await base.StopAsync(cancellationToken);
        if (client is null)
        {
            return;
        }

        // Say goodbye through the same ordered queue, then give it a moment to reach the broker before DISCONNECT
        // (which suppresses the will, so "offline" must be sent by us).
        await PublishAsync(FarmTopics.Events(options.Site, options.RackId), Event("agent", "info", "agent-stopped", null, "graceful stop"), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken);
        await PublishAsync(FarmTopics.AgentStatus(options.Site, options.RackId), Status(AgentState.Offline), FarmJsonContext.Default.AgentStatusPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken);
        long deadline = time.GetTimestamp();
        while (client.IsConnected && client.OfflineQueue is { Count: > 0 } && time.GetElapsedTime(deadline) < DrainOnStop && !cancellationToken.IsCancellationRequested)
        {
            // Waiting on the broker's acknowledgements; the queue exposes a count, not a completion signal.
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, CancellationToken.None);
        }

        if (client.OfflineQueue is { Count: > 0 } left && logger.IsEnabled(LogLevel.Warning))
        {
            logger.LogWarning("{Pending} MQTT messages were not acknowledged before stopping; they stay queued in {QueueDirectory} and go out on the next start", left.Count, AgentMqttClientOptions.QueueDirectory(options));
        }

        await client.DisposeAsync();
        client = null;
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("MQTT publishing stopped after {Published} messages ({Failed} failed, {DroppedCycles} cycles dropped)", Published, FailedPublishes, DroppedCycles);
        }
    }

    private void OnCycleCompleted(object? sender, PollCycleCompletedEventArgs e) => work.Writer.TryWrite(new Work(e));

    private void OnRackEvent(object? sender, RackEvent e) => work.Writer.TryWrite(new Work(null, e));

    private AgentStatusPayload Status(AgentState state, bool withCapabilities = true) => new()
    {
        Publisher = publisher,
        Seq = sequence!.Next(),
        Timestamp = time.GetUtcNow(),
        Site = options.Site,
        Rack = options.RackId,
        State = state,
        AgentVersion = AgentVersion,
        MinersConfigured = options.Miners.Count,
        PollIntervalS = options.PollInterval.TotalSeconds,

        // Not in the will (built before anything was probed): a consumer keeps the last capabilities it had.
        Capabilities = withCapabilities && capabilities is { } source ? CapabilityBudget.Fit(source()) : null,
    };

    private FarmEventPayload Event(string kind, string severity, string action, string? minerId, string? detail) => new()
    {
        Publisher = publisher,
        Seq = sequence!.Next(),
        Timestamp = time.GetUtcNow(),
        Site = options.Site,
        Rack = options.RackId,
        Kind = kind,
        Severity = severity,
        Action = action,
        MinerId = minerId,
        Detail = detail,
    };

    private static byte[] Serialize<T>(T payload, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(payload, type);

    private async Task PublishAsync<T>(string topic, T payload, JsonTypeInfo<T> type, MqttQualityOfServiceLevel qos, bool retain, CancellationToken cancellationToken)
    {
        FarmMqttClient? current = client;
        if (current is null)
        {
            return;
        }

        try
        {
            await current.PublishAsync(new MqttApplicationMessage { Topic = topic, Payload = Serialize(payload, type), Qos = qos, Retain = retain }, cancellationToken);
            Interlocked.Increment(ref published);
            if (publishFailing)
            {
                publishFailing = false;
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("Publishing to MQTT works again ({Failed} messages were lost meanwhile)", FailedPublishes);
                }
            }
        }
        catch (Exception e) when (e is MqttOfflineQueueFullException or MqttCommunicationException or IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            Interlocked.Increment(ref failedPublishes);

            // One line when publishing starts failing, one when it recovers: never a line per message.
            bool first = !publishFailing;
            publishFailing = true;
            if (first && logger.IsEnabled(LogLevel.Error))
            {
                logger.LogError("Cannot publish to MQTT topic {Topic}: {Error}; polling goes on, check Agent:Mqtt and the offline queue folder {QueueDirectory}", topic, e.Message, AgentMqttClientOptions.QueueDirectory(options));
            }
        }
    }

    private async Task SubscribeDesiredAsync(CancellationToken cancellationToken)
    {
        if (desiredHandler is null || desiredSubscribed || client is not { } current)
        {
            return;
        }

        string topic = FarmTopics.Desired(options.Site, options.RackId);
        try
        {
            MqttClientSubscribeResult result = await current.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            desiredSubscribed = result.AllGranted;
            if (!result.AllGranted && logger.IsEnabled(LogLevel.Error))
            {
                logger.LogError("The broker refused the subscription to {Topic}; the agent keeps enforcing the stored desired pool state. Check the broker ACL for {ClientId}", topic, publisher);
            }
        }
        catch (MqttCommunicationException e)
        {
            // The link dropped between CONNACK and SUBSCRIBE: the next connect tries again.
            if (logger.IsEnabled(LogLevel.Warning))
            {
                logger.LogWarning("Could not subscribe to {Topic} yet: {Error}; trying again on the next connect", topic, e.Message);
            }
        }
    }

    /// <summary>A unit of work for the publishing task: one finished cycle, a rack event, a reported pool state, or "the client (re)connected".</summary>
    private sealed record Work(PollCycleCompletedEventArgs? Cycle, RackEvent? Event = null, ReportedPoolStatePayload? Reported = null, bool StatusOnly = false)
    {
        public static readonly Work Connected = new((PollCycleCompletedEventArgs?)null);

        /// <summary>Only a fresh status (the capabilities changed), no re-subscription.</summary>
        public static readonly Work StatusChanged = new((PollCycleCompletedEventArgs?)null, StatusOnly: true);
    }
}
