namespace CloudMining.Farm.Simulator.Mining;

/// <summary>
/// One pool account's credited work per UTC minute, kept for three days: what a pool's dashboard and API compute their
/// 5-minute, hourly and daily hashrates from. Work booked over an interval is spread evenly over its minutes. Not
/// thread-safe; <see cref="PoolLedger"/> holds its lock around every call.
/// </summary>
internal sealed class PoolSeries
{
    private static readonly TimeSpan Bucket = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Keep = TimeSpan.FromDays(3);
    private readonly SortedDictionary<long, double[]> _minutes = [];

    public void Add(DateTimeOffset since, DateTimeOffset at, double difficulty, double shares, double staleDifficulty)
    {
        if (at <= since)
        {
            Put(MinuteOf(at), 1, difficulty, shares, staleDifficulty);
        }
        else
        {
            double total = (at - since).TotalSeconds;
            DateTimeOffset t = since;
            while (t < at)
            {
                long minute = MinuteOf(t);
                DateTimeOffset end = Start(minute + 1) < at ? Start(minute + 1) : at;
                Put(minute, (end - t).TotalSeconds / total, difficulty, shares, staleDifficulty);
                t = end;
            }
        }

        long oldest = MinuteOf(at - Keep);
        while (_minutes.Count > 0 && _minutes.Keys.First() < oldest)
        {
            _minutes.Remove(_minutes.Keys.First());
        }
    }

    /// <summary>Work in [from, to); a minute only partly inside counts in proportion (work within a minute is taken as even).</summary>
    public (double Difficulty, double Shares, double StaleDifficulty) Sum(DateTimeOffset from, DateTimeOffset to)
    {
        double d = 0, s = 0, st = 0;
        if (to <= from)
        {
            return (0, 0, 0);
        }

        long first = MinuteOf(from), last = MinuteOf(to);
        foreach ((long minute, double[] v) in _minutes)
        {
            if (minute < first)
            {
                continue;
            }

            if (minute > last)
            {
                break;
            }

            DateTimeOffset start = Start(minute), end = Start(minute + 1);
            double overlap = ((to < end ? to : end) - (from > start ? from : start)).TotalSeconds / Bucket.TotalSeconds;
            if (overlap <= 0)
            {
                continue;
            }

            d += v[0] * overlap;
            s += v[1] * overlap;
            st += v[2] * overlap;
        }

        return (d, s, st);
    }

    private void Put(long minute, double fraction, double difficulty, double shares, double staleDifficulty)
    {
        if (!_minutes.TryGetValue(minute, out double[]? v))
        {
            v = new double[3];
            _minutes[minute] = v;
        }

        v[0] += difficulty * fraction;
        v[1] += shares * fraction;
        v[2] += staleDifficulty * fraction;
    }

    private static long MinuteOf(DateTimeOffset t) => t.UtcTicks / Bucket.Ticks;

    private static DateTimeOffset Start(long minute) => new(minute * Bucket.Ticks, TimeSpan.Zero);
}
