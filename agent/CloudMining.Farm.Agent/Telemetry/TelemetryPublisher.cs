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

    private readonly PollingService _polling;
    private readonly RackEventBus _events;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<TelemetryPublisher> _logger;
    private readonly Channel<Work> _work;
    private readonly Dictionary<string, MinerState> _lastStates = new(StringComparer.Ordinal);
    private readonly string _publisher;
    private FarmMqttClient? _client;
    private PublisherSequence? _sequence;
    private bool _publishFailing;
    private long _droppedCycles;
    private long _failedPublishes;
    private long _published;
    private Func<MqttApplicationMessage, CancellationToken, Task>? _desiredHandler;
    private bool _desiredSubscribed;
    private Func<IReadOnlyList<MinerCapabilities>>? _capabilities;

    public TelemetryPublisher(PollingService polling, RackEventBus events, IOptions<AgentOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _polling = polling ?? throw new ArgumentNullException(nameof(polling));
        _options = options.Value;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        _logger = loggerFactory.CreateLogger<TelemetryPublisher>();
        _publisher = _options.Mqtt.Enabled ? AgentMqttClientOptions.ClientId(_options) : string.Empty;
        _work = Channel.CreateBounded<Work>(
            new BoundedChannelOptions(MaxPendingCycles) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _droppedCycles));
    }

    /// <summary>The MQTT client while publishing runs (tests: abort its connection, read its offline queue).</summary>
    public FarmMqttClient? Client => _client;

    /// <summary>Messages handed to the client (queued on disk or sent).</summary>
    public long Published => Interlocked.Read(ref _published);

    public long FailedPublishes => Interlocked.Read(ref _failedPublishes);

    /// <summary>Cycles dropped because the publisher fell <see cref="MaxPendingCycles"/> behind.</summary>
    public long DroppedCycles => Interlocked.Read(ref _droppedCycles);

    /// <summary>
    /// Hands every message on this rack's desired topic (<c>farm/v1/{site}/{rack}/desired</c>, the only topic the
    /// agent's ACL lets it read) to <paramref name="handler"/>. The subscription is made once connected; the client
    /// renews it after each reconnect, and the broker then re-sends the retained state. Call before the service starts.
    /// </summary>
    public void UseDesiredPoolState(Func<MqttApplicationMessage, CancellationToken, Task> handler) =>
        _desiredHandler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <summary>Puts the miners' capabilities (bounded by <see cref="CapabilityBudget"/>) into every online status; call before the service starts.</summary>
    public void UseCapabilities(Func<IReadOnlyList<MinerCapabilities>> source) =>
        _capabilities = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>Queues a fresh online status (retained) behind what is already queued: the capabilities changed.</summary>
    public void QueueStatus() => _work.Writer.TryWrite(Work.StatusChanged);

    /// <summary>Queues the rack's reported pool state (QoS 1, retained) behind what is already queued; publisher, seq and ts are stamped here.</summary>
    public void QueueReported(ReportedPoolStatePayload report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _work.Writer.TryWrite(new Work(null, null, report));
    }

    private static string AgentVersion =>
        typeof(TelemetryPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Mqtt.Enabled)
        {
            LogMqttOff(_logger);
            return;
        }

        try
        {
            _sequence = new PublisherSequence(Path.Combine(_options.StateDirectory, "mqtt-seq"));
            byte[] will = Serialize(Status(AgentState.Offline, withCapabilities: false), FarmJsonContext.Default.AgentStatusPayload);
            _client = new FarmMqttClient(AgentMqttClientOptions.Build(_options, will, _time), _loggerFactory.CreateLogger<FarmMqttClient>());
        }
        catch (Exception e) when (e is MqttConfigurationException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The agent's first job is polling; a broken MQTT setup must not stop it.
            LogMqttBroken(_logger, e.Message);
            return;
        }

        // Every (re)connect re-asserts "online": after a network cut the broker has published the will meanwhile.
        _client.ConnectedAsync += _ =>
        {
            _work.Writer.TryWrite(Work.Connected);
            return Task.CompletedTask;
        };
        if (_desiredHandler is { } onDesired)
        {
            string desiredTopic = FarmTopics.Desired(_options.Site, _options.RackId);
            _client.ApplicationMessageReceivedAsync += e =>
                string.Equals(e.ApplicationMessage.Topic, desiredTopic, StringComparison.Ordinal) ? onDesired(e.ApplicationMessage, stoppingToken) : Task.CompletedTask;
        }

        _polling.CycleCompleted += OnCycleCompleted;
        _events.Raised += OnRackEvent;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            string broker = _options.Mqtt.ToString();
            string topicRoot = FarmTopics.AgentStatus(_options.Site, _options.RackId)[..^"/status".Length];
            string queue = AgentMqttClientOptions.QueueDirectory(_options);
            LogPublishing(_logger, _options.RackId, broker, _publisher, topicRoot, queue);
        }

        await _client.StartAsync(stoppingToken);
        await PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), Event("agent", "info", "agent-started", null, $"farm-agent {AgentVersion} polling {_options.Miners.Count} miners"), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, stoppingToken);
        await foreach (Work item in _work.Reader.ReadAllAsync(stoppingToken))
        {
            if (item.Cycle is { } cycle)
            {
                await PublishCycleAsync(cycle, stoppingToken);
            }
            else if (item.Event is { } rackEvent)
            {
                await PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), Event(rackEvent.Kind, rackEvent.Severity, rackEvent.Action, rackEvent.MinerId, rackEvent.Detail), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, stoppingToken);
            }
            else if (item.Reported is { } report)
            {
                await PublishAsync(FarmTopics.Reported(_options.Site, _options.RackId), report with { Publisher = _publisher, Seq = _sequence!.Next(), Timestamp = _time.GetUtcNow() }, FarmJsonContext.Default.ReportedPoolStatePayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, stoppingToken);
            }
            else
            {
                await PublishAsync(FarmTopics.AgentStatus(_options.Site, _options.RackId), Status(AgentState.Online), FarmJsonContext.Default.AgentStatusPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, stoppingToken);
                if (!item.StatusOnly)
                {
                    await SubscribeDesiredAsync(stoppingToken);
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _polling.CycleCompleted -= OnCycleCompleted;
        _events.Raised -= OnRackEvent;
        await base.StopAsync(cancellationToken);
        if (_client is null)
        {
            return;
        }

        // Say goodbye through the same ordered queue, then give it a moment to reach the broker before DISCONNECT
        // (which suppresses the will, so "offline" must be sent by us).
        await PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), Event("agent", "info", "agent-stopped", null, "graceful stop"), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken);
        await PublishAsync(FarmTopics.AgentStatus(_options.Site, _options.RackId), Status(AgentState.Offline), FarmJsonContext.Default.AgentStatusPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken);
        long deadline = _time.GetTimestamp();
        while (_client.IsConnected && _client.OfflineQueue is { Count: > 0 } && _time.GetElapsedTime(deadline) < DrainOnStop && !cancellationToken.IsCancellationRequested)
        {
            // Waiting on the broker's acknowledgements; the queue exposes a count, not a completion signal.
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, CancellationToken.None);
        }

        if (_client.OfflineQueue is { Count: > 0 } left && _logger.IsEnabled(LogLevel.Warning))
        {
            LogUnacknowledgedAtStop(_logger, left.Count, AgentMqttClientOptions.QueueDirectory(_options));
        }

        await _client.DisposeAsync();
        _client = null;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogStopped(_logger, Published, FailedPublishes, DroppedCycles);
        }
    }

    private void OnCycleCompleted(object? sender, PollCycleCompletedEventArgs e) => _work.Writer.TryWrite(new Work(e));

    private void OnRackEvent(object? sender, RackEvent e) => _work.Writer.TryWrite(new Work(null, e));

    private AgentStatusPayload Status(AgentState state, bool withCapabilities = true) => new()
    {
        Publisher = _publisher,
        Seq = _sequence!.Next(),
        Timestamp = _time.GetUtcNow(),
        Site = _options.Site,
        Rack = _options.RackId,
        State = state,
        AgentVersion = AgentVersion,
        MinersConfigured = _options.Miners.Count,
        PollIntervalS = _options.PollInterval.TotalSeconds,

        // Not in the will (built before anything was probed): a consumer keeps the last capabilities it had.
        Capabilities = withCapabilities && _capabilities is { } source ? CapabilityBudget.Fit(source()) : null,
    };

    private FarmEventPayload Event(string kind, string severity, string action, string? minerId, string? detail) => new()
    {
        Publisher = _publisher,
        Seq = _sequence!.Next(),
        Timestamp = _time.GetUtcNow(),
        Site = _options.Site,
        Rack = _options.RackId,
        Kind = kind,
        Severity = severity,
        Action = action,
        MinerId = minerId,
        Detail = detail,
    };

    private static byte[] Serialize<T>(T payload, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(payload, type);

    private async Task PublishAsync<T>(string topic, T payload, JsonTypeInfo<T> type, MqttQualityOfServiceLevel qos, bool retain, CancellationToken cancellationToken)
    {
        FarmMqttClient? current = _client;
        if (current is null)
        {
            return;
        }

        try
        {
            await current.PublishAsync(new MqttApplicationMessage { Topic = topic, Payload = Serialize(payload, type), Qos = qos, Retain = retain }, cancellationToken);
            Interlocked.Increment(ref _published);
            if (_publishFailing)
            {
                _publishFailing = false;
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    LogPublishingBack(_logger, FailedPublishes);
                }
            }
        }
        catch (Exception e) when (e is MqttOfflineQueueFullException or MqttCommunicationException or IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _failedPublishes);

            // One line when publishing starts failing, one when it recovers: never a line per message.
            bool first = !_publishFailing;
            _publishFailing = true;
            if (first && _logger.IsEnabled(LogLevel.Error))
            {
                LogPublishFailed(_logger, topic, e.Message, AgentMqttClientOptions.QueueDirectory(_options));
            }
        }
    }

    private async Task SubscribeDesiredAsync(CancellationToken cancellationToken)
    {
        if (_desiredHandler is null || _desiredSubscribed || _client is not { } current)
        {
            return;
        }

        string topic = FarmTopics.Desired(_options.Site, _options.RackId);
        try
        {
            MqttClientSubscribeResult result = await current.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            _desiredSubscribed = result.AllGranted;
            if (!result.AllGranted && _logger.IsEnabled(LogLevel.Error))
            {
                LogSubscriptionRefused(_logger, topic, _publisher);
            }
        }
        catch (MqttCommunicationException e)
        {
            // The link dropped between CONNACK and SUBSCRIBE: the next connect tries again.
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                LogSubscribeLater(_logger, topic, e.Message);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT publishing is off because Agent:Mqtt:Host is not set; the agent polls and writes status.json only")]
    private static partial void LogMqttOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT publishing is off: {Error}; fix Agent:Mqtt and restart the agent")]
    private static partial void LogMqttBroken(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Pending} MQTT messages were not acknowledged before stopping; they stay queued in {QueueDirectory} and go out on the next start")]
    private static partial void LogUnacknowledgedAtStop(ILogger logger, long pending, string queueDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT publishing stopped after {Published} messages ({Failed} failed, {DroppedCycles} cycles dropped)")]
    private static partial void LogStopped(ILogger logger, long published, long failed, long droppedCycles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing to MQTT works again ({Failed} messages were lost meanwhile)")]
    private static partial void LogPublishingBack(ILogger logger, long failed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot publish to MQTT topic {Topic}: {Error}; polling goes on, check Agent:Mqtt and the offline queue folder {QueueDirectory}")]
    private static partial void LogPublishFailed(ILogger logger, string topic, string error, string queueDirectory);

    [LoggerMessage(Level = LogLevel.Error, Message = "The broker refused the subscription to {Topic}; the agent keeps enforcing the stored desired pool state. Check the broker ACL for {ClientId}")]
    private static partial void LogSubscriptionRefused(ILogger logger, string topic, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to {Topic} yet: {Error}; trying again on the next connect")]
    private static partial void LogSubscribeLater(ILogger logger, string topic, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Publishing rack {RackId} to {Broker} as {ClientId} under {Topic}; offline queue in {QueueDirectory}")]
    private static partial void LogPublishing(ILogger logger, string rackId, string broker, string clientId, string topic, string queueDirectory);
}
