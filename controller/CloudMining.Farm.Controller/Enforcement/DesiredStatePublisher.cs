using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Enforcement;

/// <summary>
/// Enforcement through the agents: publishes each rack's desired pool state (retained, only when its content changed),
/// takes the agents' reports of what they applied, and flags racks that lag. Owns the per-rack record of both
/// (<see cref="Tracker"/>). Without a publisher (in-process use) it publishes nothing and records nothing published.
/// </summary>
public sealed partial class DesiredStatePublisher
{
    private readonly ControllerSite _site;
    private readonly IFarmPublisher? _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _warnedNoHouse;
    private readonly Dictionary<string, string> _curtailKeys = new(StringComparer.Ordinal);
    private readonly List<RackEnforcementState> _lagPending = [];
    private DateTimeOffset? _lagWindowStart;
    private int _lagLinesInWindow;
    private DateTimeOffset? _lagSummaryAt;

    public DesiredStatePublisher(ControllerSite site, IOptions<EngineOptions> options, TimeProvider time, ILogger<DesiredStatePublisher> logger, IFarmPublisher? publisher = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _site = site ?? throw new ArgumentNullException(nameof(site));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _publisher = publisher;
        House = options.Value.HousePool();
        Tracker = new RackEnforcementTracker(options.Value.Durations().LagAfter);
    }

    /// <summary>Racks that start lagging get a line each, at most this many per <see cref="LagLogWindow"/>.</summary>
    public const int LagLinesPerWindow = 5;

    /// <summary>The window of <see cref="LagLinesPerWindow"/>, and the least time between two summary lines of lagging racks.</summary>
    public static readonly TimeSpan LagLogWindow = TimeSpan.FromMinutes(1);

    /// <summary>The operator's pool for unsold and drained miners; null: they are left out of the desired state.</summary>
    public HousePool? House { get; }

    /// <summary>Desired generations published per rack and what the agents reported applied.</summary>
    public RackEnforcementTracker Tracker { get; }

    /// <summary>
    /// Publishes generation <paramref name="version"/> to every rack of <paramref name="miners"/> whose desired pools
    /// changed (nothing before the first allocation). A miner whose pools cannot be set is left out: its agent would
    /// refuse any assignment for it.
    /// </summary>
    public async Task PublishAsync(
        long version,
        IReadOnlyList<Miner> miners,
        IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments,
        IReadOnlyDictionary<string, Contract> contracts,
        DateTimeOffset now,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, MinerCurtailTarget>? curtailment = null)
    {
        ArgumentNullException.ThrowIfNull(miners);
        if (_publisher is null || version == 0)
        {
            return;
        }

        if (House is null && !_warnedNoHouse)
        {
            _warnedNoHouse = true;
            LogNoHouse(_logger);
        }

        foreach (IGrouping<string, Miner> rack in miners.GroupBy(m => m.Rack).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            IReadOnlyList<MinerPoolAssignment> desired = DesiredStateBuilder.Build(rack.Where(m => !m.PoolsReadOnly).Select(m => m.Id), assignments, contracts, House);

            // Curtailment rides on the same retained message (additive: older agents ignore it); a change of it alone publishes too.
            IReadOnlyList<MinerCurtailTarget>? curtail = CurtailmentOf(rack, curtailment);
            string curtailKey = curtail is null ? string.Empty : string.Join(';', curtail.Select(c => $"{c.MinerId}|{c.Action.ToWire()}|{c.PowerTargetW}"));
            bool curtailChanged = curtailKey != _curtailKeys.GetValueOrDefault(rack.Key, string.Empty);
            if (!Tracker.HasChanged(rack.Key, desired) && !curtailChanged)
            {
                continue;
            }

            var payload = new DesiredPoolStatePayload
            {
                Publisher = _publisher.PublisherId,
                Seq = _publisher.NextSeq(),
                Timestamp = now,
                Site = _site.Id,
                Rack = rack.Key,
                Generation = version,
                Miners = desired,
                Curtailment = curtail,
            };
            await _publisher.PublishAsync(FarmTopics.Desired(_site.Id, rack.Key), JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.DesiredPoolStatePayload), retain: true, cancellationToken);
            Tracker.Published(rack.Key, version, desired, now);
            _curtailKeys[rack.Key] = curtailKey;
            LogPublished(_logger, version, rack.Key, desired.Count);
        }
    }

    private static List<MinerCurtailTarget>? CurtailmentOf(IEnumerable<Miner> rack, IReadOnlyDictionary<string, MinerCurtailTarget>? curtailment)
    {
        if (curtailment is null || curtailment.Count == 0)
        {
            return null;
        }

        List<MinerCurtailTarget> list = [.. rack.Select(m => curtailment.GetValueOrDefault(m.Id)).OfType<MinerCurtailTarget>().OrderBy(c => c.MinerId, StringComparer.Ordinal)];
        return list.Count == 0 ? null : list;
    }

    /// <summary>Records an agent's reported pool state (generation applied, errors); another site's report is ignored.</summary>
    public void OnReported(ReportedPoolStatePayload report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!string.Equals(report.Site, _site.Id, StringComparison.Ordinal))
        {
            return;
        }

        Tracker.Reported(report.Rack, report.Generation, report.Errors, _time.GetUtcNow(), report.MinerStatus);
        if (report.Errors.Count > 0)
        {
            LogAppliedWithErrors(_logger, report.Rack, report.Generation, report.Errors.Count, BoundedText.Echo(string.Join("; ", report.Errors.Take(10)), 1000));
        }
    }

    /// <summary>
    /// Flags the racks that have not applied their desired generation in time, and logs each once. A few racks get a line
    /// each (at most <see cref="LagLinesPerWindow"/> per <see cref="LagLogWindow"/>); beyond that the racks that start
    /// lagging are gathered into one summary line, written at most once per <see cref="LagLogWindow"/> (at farm scale a
    /// broken agent fleet would otherwise write a line per rack: 2,500 lines for 2,500 racks).
    /// </summary>
    public void CheckLagging(DateTimeOffset now)
    {
        foreach (RackEnforcementState lag in Tracker.UpdateLagging(now).OrderBy(l => l.Rack, StringComparer.Ordinal))
        {
            if (_lagWindowStart is not { } start || now - start >= LagLogWindow)
            {
                (_lagWindowStart, _lagLinesInWindow) = (now, 0);
            }

            if (_lagLinesInWindow < LagLinesPerWindow && _lagPending.Count == 0)
            {
                _lagLinesInWindow++;
                LogLagging(_logger, lag.Rack, lag.DesiredGeneration, lag.DesiredAt, lag.AppliedGeneration?.ToString(CultureInfo.InvariantCulture) ?? "nothing", Tracker.LagAfter.TotalSeconds);
            }
            else
            {
                _lagPending.Add(lag);
            }
        }

        if (_lagPending.Count > 0 && (_lagSummaryAt is not { } last || now - last >= LagLogWindow))
        {
            long lowest = _lagPending.Min(l => l.DesiredGeneration ?? 0);
            long highest = _lagPending.Max(l => l.DesiredGeneration ?? 0);
            string generations = lowest == highest ? lowest.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{lowest}-{highest}");
            string named = string.Join(", ", _lagPending.Take(LagLinesPerWindow).Select(l => l.Rack));
            string racks = _lagPending.Count > LagLinesPerWindow ? string.Create(CultureInfo.InvariantCulture, $"{named} and {_lagPending.Count - LagLinesPerWindow:N0} more") : named;
            LogLaggingSummary(_logger, _lagPending.Count, generations, Tracker.LagAfter.TotalSeconds, racks);
            _lagPending.Clear();
            _lagSummaryAt = now;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No house pool configured (Controller:Engine:HousePoolUrl, HouseWorker): unsold and drained miners are left out of the desired pool state and keep their current pools")]
    private static partial void LogNoHouse(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published desired pool state generation {Generation} for rack {Rack} ({Miners} miner(s))")]
    private static partial void LogPublished(ILogger logger, long generation, string rack, int miners);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rack {Rack} applied generation {Generation} with {Count} error(s): {Errors}")]
    private static partial void LogAppliedWithErrors(ILogger logger, string rack, long generation, int count, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rack {Rack} lags: desired generation {Desired} published at {DesiredAt:O} is not applied (agent reported {Applied}) after {LagAfterS} s")]
    private static partial void LogLagging(ILogger logger, string rack, long? desired, DateTimeOffset? desiredAt, string applied, double lagAfterS);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more rack(s) lag: desired generation {Generations} is not applied after {LagAfterS} s ({Racks}); farmctl fleet lists each")]
    private static partial void LogLaggingSummary(ILogger logger, int count, string generations, double lagAfterS, string racks);
}
