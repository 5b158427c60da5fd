using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Telemetry;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Mqtt.OfflineQueue;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Link;

/// <summary>
/// The agent's MQTT link (farm/v1): owns the <see cref="FarmMqttClient"/> (reconnect, the on-disk offline queue), the
/// publisher identity and seq, the retained agent status with its last will, and the subscriptions. Its users —
/// <see cref="TelemetryPublisher"/> (telemetry, state changes, events), the desired-state intake and the reported-state
/// publisher (<c>Pools</c>) — hand it payloads and handlers; they never touch the client. Incoming messages are read by
/// the shared <see cref="FarmSubscriber"/> / <see cref="FarmMessageDecoder"/>, the same code the controller reads with.
/// Every publish is stamped (publisher, seq, ts) and queued under one lock, so seq order is queue order is wire order.
/// Start it before its users and stop it after them (the host does: it is registered first).
/// </summary>
public sealed partial class AgentMqttLink : BackgroundService
{
    private static readonly TimeSpan DrainOnStop = TimeSpan.FromSeconds(5);

    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<AgentMqttLink> _logger;
    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private FarmMqttClient? _client;
    private PublisherSequence? _sequence;
    private Func<IReadOnlyList<MinerCapabilities>>? _capabilities;
    private bool _closed;
    private bool _publishFailing;
    private long _failedPublishes;
    private long _published;

    public AgentMqttLink(IOptions<AgentOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        _logger = loggerFactory.CreateLogger<AgentMqttLink>();
        PublisherId = Enabled ? AgentMqttClientOptions.ClientId(_options) : string.Empty;
    }

    /// <summary>False when Agent:Mqtt:Host is not set: the agent polls and writes status.json only.</summary>
    public bool Enabled => _options.Mqtt.Enabled;

    /// <summary>The publisher name every payload carries (the client id), empty when MQTT is off.</summary>
    public string PublisherId { get; }

    /// <summary>True from a successful start until the stop: the client exists and publishes are queued.</summary>
    public bool IsOpen => _client is not null;

    /// <summary>The MQTT client while the link is open (tests: abort its connection, read its offline queue).</summary>
    public FarmMqttClient? Client => _client;

    /// <summary>Messages handed to the client (queued on disk or sent).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Messages that could not be handed to the client (logged once per failing stretch).</summary>
    public long FailedPublishes => Interlocked.Read(ref _failedPublishes);

    /// <summary>The subscribers of the open link (their counters: received, malformed, misattributed).</summary>
    public IReadOnlyList<FarmSubscriber> Subscribers
    {
        get
        {
            lock (_gate)
            {
                return [.. _subscriptions.Select(s => s.Subscriber).OfType<FarmSubscriber>()];
            }
        }
    }

    private static string AgentVersion =>
        typeof(AgentMqttLink).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Puts the miners' capabilities (bounded by <see cref="CapabilityBudget"/>) into every online status.</summary>
    public void UseCapabilities(Func<IReadOnlyList<MinerCapabilities>> source) =>
        _capabilities = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>Queues a fresh online status (retained) behind what the link already has queued: the capabilities changed.</summary>
    public void QueueStatus() => Enqueue(PublishStatusAsync);

    /// <summary>
    /// Subscribes (QoS 1) to one topic for the life of the link: every message on it is read by a
    /// <see cref="FarmSubscriber"/> with <paramref name="options"/> and, when it follows the contract, handed to
    /// <paramref name="handler"/>. The subscription is made once connected (or at once if connected now); the client
    /// renews it after each reconnect and the broker then re-sends a retained message.
    /// </summary>
    public void Subscribe(string topic, FarmSubscriberOptions options, Func<FarmReceivedMessage, CancellationToken, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(topic, options, handler);
        FarmMqttClient? client;
        lock (_gate)
        {
            _subscriptions.Add(subscription);
            client = _client;
        }

        if (client is not null)
        {
            Attach(client, subscription);
            Enqueue(SubscribeAllAsync);
        }
    }

    /// <summary>Runs <paramref name="work"/> on the link's task, after what is already queued there; dropped when the link is not open.</summary>
    public void Enqueue(Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Volatile.Read(ref _closed) && Enabled)
        {
            _work.Writer.TryWrite(work);
        }
    }

    /// <summary>Stamps and queues one message; a failure is counted and logged (once per failing stretch), never thrown.</summary>
    public Task PublishAsync(string topic, FarmMessage payload, MqttQualityOfServiceLevel qos, bool retain, CancellationToken cancellationToken) =>
        PublishManyAsync([new AgentOutgoingMessage(topic, payload, qos, retain)], cancellationToken);

    /// <summary>
    /// Stamps and queues several messages in order with one call to the client (with the offline queue: one disk
    /// flush), which is how a poll cycle's telemetry keeps up at thousands of miners. Failures as for <see cref="PublishAsync"/>.
    /// </summary>
    public async Task PublishManyAsync(IReadOnlyList<AgentOutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        FarmMqttClient? current = _client;
        if (current is null || messages.Count == 0)
        {
            return;
        }

        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            var wire = new MqttApplicationMessage[messages.Count];
            for (int i = 0; i < wire.Length; i++)
            {
                AgentOutgoingMessage m = messages[i];
                wire[i] = new MqttApplicationMessage { Topic = m.Topic, Payload = Serialize(Stamp(m.Payload)), Qos = m.Qos, Retain = m.Retain };
            }

            try
            {
                await current.PublishManyAsync(wire, cancellationToken);
            }
            catch (MqttMessageTooLargeException) when (wire.Length > 1)
            {
                // The client checks the whole batch before queuing any of it: hand them over one by one, so that only
                // the message over the packet limit is lost, as when every message was published on its own.
                await PublishEachAsync(current, wire, messages, cancellationToken);
                return;
            }

            Interlocked.Add(ref _published, wire.Length);
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
            Interlocked.Add(ref _failedPublishes, messages.Count);

            // One line when publishing starts failing, one when it recovers: never a line per message.
            bool first = !_publishFailing;
            _publishFailing = true;
            if (first && _logger.IsEnabled(LogLevel.Error))
            {
                LogPublishFailed(_logger, messages[0].Topic, e.Message, AgentMqttClientOptions.QueueDirectory(_options));
            }
        }
        finally
        {
            _publishGate.Release();
        }
    }

    private async Task PublishEachAsync(FarmMqttClient client, MqttApplicationMessage[] wire, IReadOnlyList<AgentOutgoingMessage> messages, CancellationToken cancellationToken)
    {
        for (int i = 0; i < wire.Length; i++)
        {
            try
            {
                await client.PublishAsync(wire[i], cancellationToken);
                Interlocked.Increment(ref _published);
            }
            catch (Exception e) when (e is MqttOfflineQueueFullException or MqttCommunicationException or IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                Interlocked.Increment(ref _failedPublishes);
                if (_logger.IsEnabled(LogLevel.Error))
                {
                    LogPublishFailed(_logger, messages[i].Topic, e.Message, AgentMqttClientOptions.QueueDirectory(_options));
                }
            }
        }
    }

    /// <summary>A rack event from this agent (publisher, seq and ts are stamped when it is published).</summary>
    public FarmEventPayload Event(string kind, string severity, string action, string? minerId, string? detail) => new()
    {
        Publisher = PublisherId,
        Seq = 0,
        Timestamp = _time.GetUtcNow(),
        Site = _options.Site,
        Rack = _options.RackId,
        Kind = kind,
        Severity = severity,
        Action = action,
        MinerId = minerId,
        Detail = detail,
    };

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Open();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_client is not { } client)
        {
            return;
        }

        await client.StartAsync(stoppingToken);
        await PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), Event("agent", "info", "agent-started", null, $"farm-agent {AgentVersion} polling {_options.Miners.Count} miners"), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, stoppingToken);
        await foreach (Func<CancellationToken, Task> work in _work.Reader.ReadAllAsync(stoppingToken))
        {
            await work(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Volatile.Write(ref _closed, true);
        if (_client is not { } client)
        {
            return;
        }

        // Say goodbye through the same ordered queue, then give it a moment to reach the broker before DISCONNECT
        // (which suppresses the will, so "offline" must be sent by us).
        await PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), Event("agent", "info", "agent-stopped", null, "graceful stop"), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken);
        await PublishAsync(FarmTopics.AgentStatus(_options.Site, _options.RackId), Status(AgentState.Offline), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken);
        long started = _time.GetTimestamp();
        while (client.IsConnected && client.OfflineQueue is { Count: > 0 } && _time.GetElapsedTime(started) < DrainOnStop && !cancellationToken.IsCancellationRequested)
        {
            // Waiting on the broker's acknowledgements; the queue exposes a count, not a completion signal.
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, CancellationToken.None);
        }

        if (client.OfflineQueue is { Count: > 0 } left && _logger.IsEnabled(LogLevel.Warning))
        {
            LogUnacknowledgedAtStop(_logger, left.Count, AgentMqttClientOptions.QueueDirectory(_options));
        }

        _client = null;
        await client.DisposeAsync();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogStopped(_logger, Published, FailedPublishes);
        }
    }

    public override void Dispose()
    {
        _publishGate.Dispose();
        base.Dispose();
    }

    private void Open()
    {
        if (!Enabled)
        {
            LogMqttOff(_logger);
            Volatile.Write(ref _closed, true);
            return;
        }

        FarmMqttClient client;
        try
        {
            _sequence = new PublisherSequence(Path.Combine(_options.StateDirectory, "mqtt-seq"));
            byte[] will = Serialize(Stamp(Status(AgentState.Offline, withCapabilities: false)));
            client = new FarmMqttClient(AgentMqttClientOptions.Build(_options, will, _time), _loggerFactory.CreateLogger<FarmMqttClient>());
        }
        catch (Exception e) when (e is MqttConfigurationException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The agent's first job is polling; a broken MQTT setup must not stop it.
            LogMqttBroken(_logger, e.Message);
            Volatile.Write(ref _closed, true);
            return;
        }

        // Every (re)connect re-asserts "online" (after a network cut the broker has published the will meanwhile),
        // then makes the subscriptions not yet granted.
        client.ConnectedAsync += _ =>
        {
            Enqueue(OnConnectedAsync);
            return Task.CompletedTask;
        };
        Subscription[] subscriptions;
        lock (_gate)
        {
            _client = client;
            subscriptions = [.. _subscriptions];
        }

        foreach (Subscription subscription in subscriptions)
        {
            Attach(client, subscription);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            string topicRoot = FarmTopics.AgentStatus(_options.Site, _options.RackId)[..^"/status".Length];
            string broker = _options.Mqtt.ToString();
            string queue = AgentMqttClientOptions.QueueDirectory(_options);
            LogPublishing(_logger, _options.RackId, broker, PublisherId, topicRoot, queue);
        }
    }

    private void Attach(FarmMqttClient client, Subscription subscription)
    {
        // The subscriber sees every message the client receives; the link's subscriptions are exact topics, so each
        // handler takes only its own (and a refusal only on its own topic is reported through its options).
        FarmSubscriberOptions options = subscription.Options.Rejected is { } rejected
            ? subscription.Options with { Rejected = (r, ct) => string.Equals(r.TopicName, subscription.Topic, StringComparison.Ordinal) ? rejected(r, ct) : Task.CompletedTask }
            : subscription.Options;
        subscription.Subscriber = new FarmSubscriber(
            client,
            (m, ct) => string.Equals(m.TopicName, subscription.Topic, StringComparison.Ordinal) ? subscription.Handler(m, ct) : Task.CompletedTask,
            options,
            _loggerFactory.CreateLogger<FarmSubscriber>(),
            _time);
    }

    private async Task OnConnectedAsync(CancellationToken cancellationToken)
    {
        await PublishStatusAsync(cancellationToken);
        await SubscribeAllAsync(cancellationToken);
    }

    private Task PublishStatusAsync(CancellationToken cancellationToken) =>
        PublishAsync(FarmTopics.AgentStatus(_options.Site, _options.RackId), Status(AgentState.Online), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken);

    private async Task SubscribeAllAsync(CancellationToken cancellationToken)
    {
        if (_client is not { IsConnected: true })
        {
            // Not connected yet: the connect's own work item subscribes.
            return;
        }

        Subscription[] pending;
        lock (_gate)
        {
            pending = [.. _subscriptions.Where(s => !s.Granted && s.Subscriber is not null)];
        }

        foreach (Subscription subscription in pending)
        {
            try
            {
                MqttClientSubscribeResult result = await subscription.Subscriber!.SubscribeAsync([subscription.Topic], cancellationToken);
                subscription.Granted = result.AllGranted;
                if (!result.AllGranted && _logger.IsEnabled(LogLevel.Error))
                {
                    LogSubscriptionRefused(_logger, subscription.Topic, PublisherId);
                }
            }
            catch (MqttCommunicationException e)
            {
                // The link dropped between CONNACK and SUBSCRIBE: the next connect tries again.
                if (_logger.IsEnabled(LogLevel.Warning))
                {
                    LogSubscribeLater(_logger, subscription.Topic, e.Message);
                }
            }
        }
    }

    private AgentStatusPayload Status(AgentState state, bool withCapabilities = true) => new()
    {
        Publisher = PublisherId,
        Seq = 0,
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

    // The clone keeps the payload's runtime type: only the envelope changes.
    private FarmMessage Stamp(FarmMessage payload) =>
        payload with { Publisher = PublisherId, Seq = _sequence!.Next(), Timestamp = _time.GetUtcNow() };

    private static byte[] Serialize(FarmMessage payload) =>
        JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.GetTypeInfo(payload.GetType())
            ?? throw new InvalidOperationException($"{payload.GetType().Name} is not in FarmJsonContext."));

    private sealed class Subscription(string topic, FarmSubscriberOptions options, Func<FarmReceivedMessage, CancellationToken, Task> handler)
    {
        public string Topic { get; } = topic;

        public FarmSubscriberOptions Options { get; } = options;

        public Func<FarmReceivedMessage, CancellationToken, Task> Handler { get; } = handler;

        public FarmSubscriber? Subscriber { get; set; }

        public bool Granted { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT publishing is off because Agent:Mqtt:Host is not set; the agent polls and writes status.json only")]
    private static partial void LogMqttOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT publishing is off: {Error}; fix Agent:Mqtt and restart the agent")]
    private static partial void LogMqttBroken(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Pending} MQTT messages were not acknowledged before stopping; they stay queued in {QueueDirectory} and go out on the next start")]
    private static partial void LogUnacknowledgedAtStop(ILogger logger, long pending, string queueDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT publishing stopped after {Published} messages ({Failed} failed)")]
    private static partial void LogStopped(ILogger logger, long published, long failed);

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
