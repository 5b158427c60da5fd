using CloudMining.Farm.Controller.Ledger;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// Turns successive pool readings of a contract's worker into the pool's TH·h per UTC hour, beside our ledger's: each
/// reading's hashrate counts from the previous reading (at most <see cref="Cap"/> back, so a pause credits no hours it
/// did not see) to its own time, split at hour boundaries. Thread-safe.
/// </summary>
public sealed class PoolSideHours(TimeSpan cap)
{
    private readonly Dictionary<(string Contract, DateTimeOffset Hour), (double Hashes, double Seconds)> _hours = [];
    private readonly Dictionary<string, DateTimeOffset> _lastReading = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public TimeSpan Cap { get; } = cap > TimeSpan.Zero ? cap : throw new ArgumentOutOfRangeException(nameof(cap), cap, "The credit cap must be positive.");

    /// <summary>Credits one reading; the first of a contract only sets where the next one starts.</summary>
    public void Credit(string contractId, PoolWorkerReading reading)
    {
        ArgumentNullException.ThrowIfNull(contractId);
        ArgumentNullException.ThrowIfNull(reading);
        lock (_gate)
        {
            DateTimeOffset to = reading.ReadAt;
            if (_lastReading.TryGetValue(contractId, out DateTimeOffset previous) && to > previous)
            {
                DateTimeOffset t = to - previous > Cap ? to - Cap : previous;
                while (t < to)
                {
                    DateTimeOffset hour = HourlyLedger.HourOf(t);
                    DateTimeOffset end = hour.AddHours(1) < to ? hour.AddHours(1) : to;
                    double seconds = (end - t).TotalSeconds;
                    (double hashes, double observed) = _hours.GetValueOrDefault((contractId, hour));
                    _hours[(contractId, hour)] = (hashes + (reading.HashrateHs * seconds), observed + seconds);
                    t = end;
                }
            }

            if (to > previous)
            {
                _lastReading[contractId] = to;
            }
        }
    }

    /// <summary>
    /// Starts an hour from what was stored for it before (a restart mid-hour), so the figure and the seconds it covers
    /// add up instead of the hour starting again from nothing; an hour already credited here is left as it is.
    /// </summary>
    public void Seed(PoolSideHour stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        lock (_gate)
        {
            _hours.TryAdd((stored.ContractId, stored.Hour), (stored.PoolTerahashHours * 1e12 * 3600, stored.ObservedSeconds));
        }
    }

    /// <summary>Every hour credited so far (open ones too, as they stand), to store; completed hours before <paramref name="keepFrom"/> are then forgotten.</summary>
    public IReadOnlyList<PoolSideHour> Drain(DateTimeOffset keepFrom)
    {
        lock (_gate)
        {
            List<PoolSideHour> rows = [.. _hours
                .OrderBy(p => p.Key.Hour).ThenBy(p => p.Key.Contract, StringComparer.Ordinal)
                .Select(p => new PoolSideHour(p.Key.Contract, p.Key.Hour, p.Value.Hashes / 1e12 / 3600, p.Value.Seconds))];
            foreach ((string, DateTimeOffset) key in _hours.Keys.Where(k => k.Hour.AddHours(1) <= keepFrom).ToList())
            {
                _hours.Remove(key);
            }

            return rows;
        }
    }

    /// <summary>Forgets a contract.</summary>
    public void Forget(string contractId)
    {
        lock (_gate)
        {
            _lastReading.Remove(contractId);
            foreach ((string, DateTimeOffset) key in _hours.Keys.Where(k => k.Contract == contractId).ToList())
            {
                _hours.Remove(key);
            }
        }
    }
}
