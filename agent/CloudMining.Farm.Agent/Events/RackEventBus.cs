using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Events;

/// <summary>
/// Where relays, fans, the watchdog and pool reconciliation report what they do: every event becomes one structured
/// log line (journald) and is handed to subscribers — the MQTT publisher sends it on <c>farm/v1/{site}/{rack}/events</c>.
/// Raising never blocks and never throws because of a subscriber.
/// </summary>
public sealed partial class RackEventBus
{
    /// <summary>How many recent events <see cref="Recent"/> keeps (status, tests).</summary>
    public const int RecentCapacity = 256;

    /// <summary>Longest event detail kept; details quote rejected input and miner replies, so they are cut here once for all.</summary>
    public const int MaxDetailChars = 2000;

    private readonly ILogger<RackEventBus> _logger;
    private readonly Queue<RackEvent> _recent = new();
    private readonly Lock _gate = new();

    public RackEventBus(ILogger<RackEventBus> logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Raised after the event was logged, on the raising thread; handlers must be quick.</summary>
    public event EventHandler<RackEvent>? Raised;

    /// <summary>The latest events, oldest first.</summary>
    public IReadOnlyList<RackEvent> Recent
    {
        get
        {
            lock (_gate)
            {
                return _recent.ToArray();
            }
        }
    }

    public void Raise(RackEvent rackEvent)
    {
        ArgumentNullException.ThrowIfNull(rackEvent);
        if (rackEvent.Detail is { Length: > MaxDetailChars } || rackEvent.MinerId is { Length: > FarmTopics.MaxIdLength })
        {
            rackEvent = rackEvent with { Detail = BoundedText.Echo(rackEvent.Detail, MaxDetailChars), MinerId = rackEvent.MinerId is { Length: > FarmTopics.MaxIdLength } ? null : rackEvent.MinerId };
        }

        lock (_gate)
        {
            if (_recent.Count == RecentCapacity)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(rackEvent);
        }

        LogLevel level = rackEvent.Severity switch
        {
            "critical" => LogLevel.Error,
            "warning" => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        Log(_logger, level, rackEvent.Kind, rackEvent.Action, rackEvent.MinerId ?? "-", rackEvent.Detail ?? string.Empty);

        EventHandler<RackEvent>? handlers = Raised;
        if (handlers is null)
        {
            return;
        }

        foreach (EventHandler<RackEvent> handler in handlers.GetInvocationList().Cast<EventHandler<RackEvent>>())
        {
            try
            {
                handler(this, rackEvent);
            }
#pragma warning disable CA1031 // a failing subscriber must not stop the relay or fan loop that raised the event
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHandlerFailed(_logger, e, rackEvent.Action);
            }
        }
    }

    [LoggerMessage(Message = "Rack event {EventKind} {EventAction} miner {MinerId}: {EventDetail}")]
    private static partial void Log(ILogger logger, LogLevel level, string eventKind, string eventAction, string minerId, string eventDetail);

    [LoggerMessage(Level = LogLevel.Error, Message = "A subscriber failed to take rack event {EventAction}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string eventAction);
}
