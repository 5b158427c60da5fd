using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>
/// Subscribes to the site's agent telemetry, miner state and agent status, folds them into <see cref="FleetState"/>,
/// and feeds <see cref="HistoryWriter"/>: a miner point per telemetry message, rack (and contract) points periodically.
/// Its connection state goes to the <see cref="BrokerOutageGate"/>, so the engine does not take the controller's own
/// deafness during a broker outage for silent miners.
/// </summary>
public sealed partial class IngestService : BackgroundService
{
    private readonly ControllerOptions _options;
    private readonly HistoryWriter _history;
    private readonly IControllerStore? _store;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly BrokerOutageGate? _broker;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly UnknownStateLog _unknownStates;
    private readonly AgentClockLog _clockLog;
    private readonly TelemetryBatchFold _batches;
    private FarmMqttClient? _client;

    public IngestService(ControllerOptions options, FleetState fleet, HistoryWriter history, IControllerStore? store = null, TimeProvider? time = null, ILoggerFactory? loggerFactory = null, BrokerOutageGate? broker = null)
    {
        _broker = broker;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        Fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _history = history ?? throw new ArgumentNullException(nameof(history));
        _store = store;
        _time = time ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<IngestService>();
        _unknownStates = new UnknownStateLog(_logger, _time);
        _clockLog = new AgentClockLog(_logger, _time);
        _batches = new TelemetryBatchFold(fleet, history, _logger, _time);
    }

    /// <summary>The fleet picture this service keeps up to date.</summary>
    public FleetState Fleet { get; }

    /// <summary>Readings folded from telemetry batches, and batch entries rejected one by one.</summary>
    public TelemetryBatchFold Batches => _batches;

    /// <summary>The subscriber, once connected (for its received/malformed counters).</summary>
    public FarmSubscriber? Subscriber { get; private set; }

    /// <summary>Completes once the subscriptions are granted, so a caller knows publishes from now on are seen.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>
    /// The topic filters of one site: telemetry (per miner and per rack batch), miner state, agent status. With
    /// <paramref name="shareGroup"/> the two telemetry filters are MQTT 5 shared subscriptions (<c>$share/{group}/…</c>):
    /// the broker gives each telemetry message to one subscriber of the group.
    /// </summary>
    public static IReadOnlyList<string> Filters(string site, string? shareGroup = null)
    {
        string share = "";
        if (!string.IsNullOrWhiteSpace(shareGroup))
        {
            string group = shareGroup.Trim();
            if (group.AsSpan().IndexOfAny("/+#") >= 0)
            {
                throw new ArgumentException($"Controller:Mqtt:IngestShareGroup '{BoundedText.Echo(group, 64)}' may not contain '/', '+' or '#'; use a plain name such as 'controller-ingest'.", nameof(shareGroup));
            }

            share = $"$share/{group}/";
        }

        return
        [
            share + FarmTopics.AllTelemetryFilter(site),
            share + FarmTopics.AllTelemetryBatchFilter(site),
            $"{FarmTopics.Root}/{site}/+/miners/+/state",
            $"{FarmTopics.Root}/{site}/+/status",
        ];
    }

    /// <summary>Applies one parsed message; public so tests and other transports can feed it.</summary>
    public Task HandleAsync(FarmReceivedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Payload is TelemetryBatchPayload batch)
        {
            // History dates a batch from a clock that is ahead as the fleet state does: when it was received.
            DateTimeOffset received = _time.GetUtcNow();
            _batches.Fold(batch, message.TopicName, _clockLog.Check(batch.Site, batch.Rack, batch.Timestamp, received) ? received : null);
            return Task.CompletedTask;
        }

        _unknownStates.Check(message.TopicName, message.Payload);
        if (Fleet.Apply(message.Payload) && message.Payload is MinerTelemetryPayload telemetry)
        {
            // History dates a reading from a clock that is ahead as the fleet state does: when it was received.
            DateTimeOffset received = _time.GetUtcNow();
            _history.WriteTelemetry(_clockLog.Check(telemetry.Site, telemetry.Rack, telemetry.Timestamp, received) ? telemetry with { Timestamp = received } : telemetry);
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes the periodic rack (and contract) history now.</summary>
    public async Task WritePeriodicHistoryAsync(CancellationToken cancellationToken)
    {
        if (!_history.Enabled)
        {
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        _history.WriteRacks(Fleet.Racks(), now);
        if (_store is not null)
        {
            // The current and previous hour: a ledger row may still be rewritten while its hour closes.
            DateTimeOffset hour = new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            await _history.WriteContractsAsync(_store, _options.Site, hour.AddHours(-1), hour.AddHours(1), cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ControllerMqttOptions mqtt = _options.Mqtt;
        _client = new FarmMqttClient(mqtt.ToClientOptions(), _loggerFactory.CreateLogger<FarmMqttClient>());
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.ConnectedAsync += _ =>
        {
            _broker?.Connected(_time.GetUtcNow());
            connected.TrySetResult();
            return Task.CompletedTask;
        };
        _client.DisconnectedAsync += _ =>
        {
            _broker?.Disconnected();
            return Task.CompletedTask;
        };
        Subscriber = new FarmSubscriber(_client, HandleAsync, _loggerFactory.CreateLogger<FarmSubscriber>(), _time);
        LogConnecting(mqtt);

        try
        {
            await _client.StartAsync(stoppingToken).ConfigureAwait(false);
            await connected.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            MqttClientSubscribeResult result = await Subscriber.SubscribeAsync(Filters(_options.Site, mqtt.IngestShareGroup), stoppingToken).ConfigureAwait(false);
            if (!result.AllGranted)
            {
                throw new InvalidOperationException($"The broker refused the controller's subscriptions to farm/v1/{_options.Site}; check the ACL of user {mqtt.Username ?? "(anonymous)"}.");
            }
        }
        catch (Exception e)
        {
            _subscribed.TrySetException(e);
            throw;
        }

        _subscribed.TrySetResult();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.RackHistoryIntervalS), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await WritePeriodicHistoryAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connecting to MQTT broker {Broker}")]
    private partial void LogConnecting(ControllerMqttOptions broker);
}
