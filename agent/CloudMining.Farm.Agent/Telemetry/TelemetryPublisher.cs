using System.Threading.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>
/// A user of the <see cref="AgentMqttLink"/>: publishes the rack's per-miner telemetry every cycle, state changes and
/// rack events (farm/v1). The polling loop only hands each cycle to a bounded channel; everything slow (JSON, the
/// disk offline queue, the network) happens on this service's own task, so publishing never delays polling. A
/// cycle's messages go to the link together (<see cref="AgentMqttLink.PublishManyAsync"/>: one disk flush per
/// <see cref="BatchSize"/> messages, not one per message), so 10,000 miners' telemetry fits in the poll interval.
/// </summary>
public sealed partial class TelemetryPublisher : BackgroundService
{
    /// <summary>Cycles waiting for the publisher; beyond this the oldest is dropped rather than polling waiting.</summary>
    public const int MaxPendingCycles = 64;

    /// <summary>Messages of one cycle handed to the link at once (one disk flush each).</summary>
    public const int BatchSize = 1000;

    private readonly PollingService _polling;
    private readonly RackEventBus _events;
    private readonly AgentMqttLink _link;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TelemetryPublisher> _logger;
    private readonly Channel<Work> _work;
    private readonly Dictionary<string, MinerState> _lastStates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastSerials = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastStateSentAt = new(StringComparer.Ordinal);

    /// <summary>
    /// How often a miner's state message is sent again unchanged (with its serial), so a controller that restarted
    /// learns every miner's state and serial within this time; a change is sent at once.
    /// </summary>
    public static readonly TimeSpan StateRefreshInterval = TimeSpan.FromMinutes(10);
    private long _droppedCycles;

    public TelemetryPublisher(PollingService polling, RackEventBus events, AgentMqttLink link, IOptions<AgentOptions> options, TimeProvider time, ILogger<TelemetryPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _polling = polling ?? throw new ArgumentNullException(nameof(polling));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _link = link ?? throw new ArgumentNullException(nameof(link));
        _options = options.Value;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _work = Channel.CreateBounded<Work>(
            new BoundedChannelOptions(MaxPendingCycles) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _droppedCycles));
    }

    /// <summary>Cycles dropped because the publisher fell <see cref="MaxPendingCycles"/> behind.</summary>
    public long DroppedCycles => Interlocked.Read(ref _droppedCycles);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // MQTT off or broken: the link said so; polling goes on without us.
        if (!_link.IsOpen)
        {
            return;
        }

        _polling.CycleCompleted += OnCycleCompleted;
        _events.Raised += OnRackEvent;
        await foreach (Work item in _work.Reader.ReadAllAsync(stoppingToken))
        {
            if (item.Cycle is { } cycle)
            {
                await PublishCycleAsync(cycle, stoppingToken);
            }
            else if (item.Event is { } e)
            {
                await _link.PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), _link.Event(e.Kind, e.Severity, e.Action, e.MinerId, e.Detail), MqttQualityOfServiceLevel.AtLeastOnce, retain: false, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _polling.CycleCompleted -= OnCycleCompleted;
        _events.Raised -= OnRackEvent;
        await base.StopAsync(cancellationToken);
        if (DroppedCycles > 0 && _logger.IsEnabled(LogLevel.Warning))
        {
            LogDroppedCycles(_logger, DroppedCycles, MaxPendingCycles);
        }
    }

    private void OnCycleCompleted(object? sender, PollCycleCompletedEventArgs e) => _work.Writer.TryWrite(new Work(e, null));

    private void OnRackEvent(object? sender, RackEvent e) => _work.Writer.TryWrite(new Work(null, e));

    /// <summary>A unit of work for the publishing task: one finished cycle or a rack event.</summary>
    private sealed record Work(PollCycleCompletedEventArgs? Cycle, RackEvent? Event);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Dropped} poll cycles were not published because publishing fell {MaxPending} cycles behind")]
    private static partial void LogDroppedCycles(ILogger logger, long dropped, int maxPending);
}
