using System.Collections.Concurrent;
using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>
/// Says, at most once per rack every <see cref="RackInterval"/> (and a few lines a minute for the whole site), that a
/// rack's telemetry is dated more than <see cref="FleetState.ClockTolerance"/> ahead of the controller's clock: the
/// rack host's clock is wrong. Its readings are used, dated when received (<see cref="FleetState.Dated"/>).
/// </summary>
public sealed partial class AgentClockLog
{
    /// <summary>How often one rack's wrong clock is said again while it stays wrong.</summary>
    public static readonly TimeSpan RackInterval = TimeSpan.FromMinutes(10);

    private readonly ILogger _logger;
    private readonly LogThrottle _throttle;
    private readonly ConcurrentDictionary<(string Site, string Rack), DateTimeOffset> _lastSaid = new();

    public AgentClockLog(ILogger logger, TimeProvider time)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _throttle = new LogThrottle(time ?? throw new ArgumentNullException(nameof(time)), TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Checks a reading of <paramref name="rack"/> stamped <paramref name="ts"/> and received at <paramref name="now"/>;
    /// true when it is ahead of the controller's clock (<see cref="FleetState.Ahead"/>), so dated <paramref name="now"/>.
    /// </summary>
    public bool Check(string site, string rack, DateTimeOffset ts, DateTimeOffset now)
    {
        if (!FleetState.Ahead(ts, now))
        {
            return false;
        }

        TimeSpan ahead = ts - now;
        (string, string) key = (site, rack);
        if (_lastSaid.TryGetValue(key, out DateTimeOffset said) && now - said < RackInterval)
        {
            return true;
        }

        if (_throttle.TryAcquire(out long heldBack))
        {
            _lastSaid[key] = now;
            ClockAhead(BoundedText.Echo(rack), ahead.TotalSeconds, ts, FleetState.ClockTolerance.TotalSeconds, RackInterval.TotalMinutes, heldBack);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rack {Rack}'s clock is {Seconds:0.#} s ahead of the controller's (its telemetry is stamped {Ts:O}): its readings are used but dated when received, since more than {Tolerance} s ahead cannot be true. Set the rack host's clock right (enable NTP: timedatectl set-ntp true) and check the controller's too (said again every {Minutes} min while it lasts; {HeldBack} such lines held back)")]
    private partial void ClockAhead(string rack, double seconds, DateTimeOffset ts, double tolerance, double minutes, long heldBack);
}
