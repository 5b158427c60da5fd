using CloudMining.Farm.Controller.Ingest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Controller.Fleet;

/// <summary>
/// Which miners are suspect and why: a reading outside the <see cref="ReadingEnvelope"/> makes its miner suspect at once;
/// it is cleared after <see cref="ReadingEnvelopeOptions.PlausibleReadingsToClear"/> consecutive plausible readings (each
/// new telemetry timestamp counts once, however often the engine looks). Warns the operator, rate-limited per miner and
/// for the fleet. Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed partial class SuspectMiners
{
    private readonly ReadingEnvelope envelope;
    private readonly ReadingEnvelopeOptions options;
    private readonly ILogger logger;
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private DateTimeOffset windowStart = DateTimeOffset.MinValue;
    private int linesInWindow;
    private int suppressed;

    public SuspectMiners(ReadingEnvelopeOptions? options = null, ILogger? logger = null)
    {
        this.options = options ?? new ReadingEnvelopeOptions();
        envelope = new ReadingEnvelope(this.options);
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Miners suspect now.</summary>
    public int Count => entries.Values.Count(e => e.Reason is not null);

    /// <summary>Judges the miner's latest reading and returns why it is suspect, or null when its readings are believed.</summary>
    public string? Observe(MinerLiveState live, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(live);
        entries.TryGetValue(live.MinerId, out Entry? entry);
        if (live.TelemetryAt is not { } at || (entry is not null && entry.LastAt == at))
        {
            return entry?.Reason;
        }

        string? problem = envelope.Problem(live);
        if (problem is not null)
        {
            if (entry is null)
            {
                entry = new Entry();
                entries[live.MinerId] = entry;
            }

            bool became = entry.Reason is null;
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

        if (++entry.Plausible < options.PlausibleReadingsToClear)
        {
            return entry.Reason;
        }

        entry.Reason = null;
        entry.Plausible = 0;
        LogCleared(logger, live.MinerId, live.Rack, options.PlausibleReadingsToClear);

        return null;
    }

    /// <summary>Why the miner is suspect, or null.</summary>
    public string? ReasonFor(string minerId) => entries.TryGetValue(minerId, out Entry? e) ? e.Reason : null;

    /// <summary>Forgets miners no longer in the fleet, so ids that come and go cannot grow the table.</summary>
    public void Retain(IReadOnlyCollection<string> present)
    {
        ArgumentNullException.ThrowIfNull(present);
        if (entries.Count == 0)
        {
            return;
        }

        var keep = present as ISet<string> ?? new HashSet<string>(present, StringComparer.Ordinal);
        foreach (string id in entries.Keys.Where(id => !keep.Contains(id)).ToList())
        {
            entries.Remove(id);
        }
    }

    private void WarnSuspect(MinerLiveState live, string problem, Entry entry, DateTimeOffset now)
    {
        if (entry.LastWarned is { } last && now - last < options.LogInterval)
        {
            return;
        }

        if (now - windowStart >= options.LogInterval)
        {
            if (suppressed > 0)
            {
                LogSuppressed(logger, suppressed, options.LogInterval);
            }

            windowStart = now;
            linesInWindow = 0;
            suppressed = 0;
        }

        if (linesInWindow >= options.MaxLogLinesPerInterval)
        {
            suppressed++;
            return;
        }

        linesInWindow++;
        entry.LastWarned = now;
        LogSuspect(logger, live.MinerId, live.Rack, problem, options.PlausibleReadingsToClear);
    }

    private sealed class Entry
    {
        public string? Reason { get; set; }

        public int Plausible { get; set; }

        public DateTimeOffset LastAt { get; set; }

        public DateTimeOffset? LastWarned { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Miner {MinerId} on rack {Rack} is sellable again after {Count} plausible reading(s)")]
    private static partial void LogCleared(ILogger logger, string minerId, string rack, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more miner(s) became suspect in the last {Interval} without a line each; `farmctl fleet` lists them")]
    private static partial void LogSuppressed(ILogger logger, int count, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId} on rack {Rack} is suspect and not sold: {Problem}. Check its firmware's units and sensors; it is sold again after {Count} plausible reading(s)")]
    private static partial void LogSuspect(ILogger logger, string minerId, string rack, string problem, int count);
}
