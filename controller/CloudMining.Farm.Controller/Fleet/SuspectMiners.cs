using CloudMining.Farm.Controller.Ingest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Controller.Fleet;

/// <summary>
/// Which miners are suspect and why: a reading outside the <see cref="ReadingEnvelope"/> makes its miner suspect at once;
/// it is cleared after <see cref="ReadingEnvelopeOptions.PlausibleReadingsToClear"/> consecutive plausible readings (each
/// new telemetry timestamp counts once, however often the engine looks). Warns the operator, rate-limited per miner and
/// for the fleet. A miner keeps its place in the allocation while its suspicion is younger than
/// <see cref="ReadingEnvelopeOptions.SuspectHold"/> (<see cref="Held"/>); a miner suspect again within that long of
/// clearing counts from its first suspicion, so a rack that flaps cannot hold a place forever.
/// Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed partial class SuspectMiners
{
    private readonly ReadingEnvelope _envelope;
    private readonly ReadingEnvelopeOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _linesInWindow;
    private int _suppressed;

    public SuspectMiners(ReadingEnvelopeOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new ReadingEnvelopeOptions();
        _envelope = new ReadingEnvelope(_options);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Miners suspect now.</summary>
    public int Count => _entries.Values.Count(e => e.Reason is not null);

    /// <summary>Judges the miner's latest reading and returns why it is suspect, or null when its readings are believed.</summary>
    public string? Observe(MinerLiveState live, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(live);
        _entries.TryGetValue(live.MinerId, out Entry? entry);
        if (live.TelemetryAt is not { } at || (entry is not null && entry.LastAt == at))
        {
            return entry?.Reason;
        }

        string? problem = _envelope.Problem(live);
        if (problem is not null)
        {
            if (entry is null)
            {
                entry = new Entry();
                _entries[live.MinerId] = entry;
            }

            bool became = entry.Reason is null;
            if (became && (entry.ClearedAt is not { } cleared || now - cleared >= _options.SuspectHold))
            {
                entry.Since = now;
            }

            entry.Reason = problem;
            entry.Plausible = 0;
            entry.LastAt = at;
            if (became)
            {
                WarnSuspect(live, problem, entry, now);
            }

            return problem;
        }

        if (entry is null)
        {
            return null;
        }

        entry.LastAt = at;
        if (entry.Reason is null)
        {
            return null;
        }

        if (++entry.Plausible < _options.PlausibleReadingsToClear)
        {
            return entry.Reason;
        }

        entry.Reason = null;
        entry.Plausible = 0;
        entry.ClearedAt = now;
        LogCleared(_logger, live.MinerId, live.Rack, _options.PlausibleReadingsToClear);

        return null;
    }

    /// <summary>Why the miner is suspect, or null.</summary>
    public string? ReasonFor(string minerId) => _entries.TryGetValue(minerId, out Entry? e) ? e.Reason : null;

    /// <summary>Since when the miner is suspect (its first suspicion when it flapped), or null when it is not.</summary>
    public DateTimeOffset? SuspectSince(string minerId) => _entries.TryGetValue(minerId, out Entry? e) && e.Reason is not null ? e.Since : null;

    /// <summary>
    /// True while the miner is suspect for less than <see cref="ReadingEnvelopeOptions.SuspectHold"/> at
    /// <paramref name="now"/>: the allocator keeps its place (it is still sold to nobody).
    /// </summary>
    public bool Held(string minerId, DateTimeOffset now) => SuspectSince(minerId) is { } since && now - since < _options.SuspectHold;

    /// <summary>Forgets miners no longer in the fleet, so ids that come and go cannot grow the table.</summary>
    public void Retain(IReadOnlyCollection<string> present)
    {
        ArgumentNullException.ThrowIfNull(present);
        if (_entries.Count == 0)
        {
            return;
        }

        var keep = present as ISet<string> ?? new HashSet<string>(present, StringComparer.Ordinal);
        foreach (string id in _entries.Keys.Where(id => !keep.Contains(id)).ToList())
        {
            _entries.Remove(id);
        }
    }

    private void WarnSuspect(MinerLiveState live, string problem, Entry entry, DateTimeOffset now)
    {
        if (entry.LastWarned is { } last && now - last < _options.LogInterval)
        {
            return;
        }

        if (now - _windowStart >= _options.LogInterval)
        {
            if (_suppressed > 0)
            {
                LogSuppressed(_logger, _suppressed, _options.LogInterval);
            }

            _windowStart = now;
            _linesInWindow = 0;
            _suppressed = 0;
        }

        if (_linesInWindow >= _options.MaxLogLinesPerInterval)
        {
            _suppressed++;
            return;
        }

        _linesInWindow++;
        entry.LastWarned = now;
        LogSuspect(_logger, live.MinerId, live.Rack, problem, _options.PlausibleReadingsToClear);
    }

    private sealed class Entry
    {
        public string? Reason { get; set; }

        public int Plausible { get; set; }

        public DateTimeOffset LastAt { get; set; }

        public DateTimeOffset Since { get; set; }

        public DateTimeOffset? ClearedAt { get; set; }

        public DateTimeOffset? LastWarned { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Miner {MinerId} on rack {Rack} is sellable again after {Count} plausible reading(s)")]
    private static partial void LogCleared(ILogger logger, string minerId, string rack, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more miner(s) became suspect in the last {Interval} without a line each; `farmctl fleet` lists them")]
    private static partial void LogSuppressed(ILogger logger, int count, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId} on rack {Rack} is suspect and not sold: {Problem}. Check its firmware's units and sensors; it is sold again after {Count} plausible reading(s)")]
    private static partial void LogSuspect(ILogger logger, string minerId, string rack, string problem, int count);
}
