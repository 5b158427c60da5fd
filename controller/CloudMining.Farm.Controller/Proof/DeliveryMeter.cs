namespace CloudMining.Farm.Controller.Proof;

/// <summary>
/// Measures hashrate delivered to pool accounts from the accepted-difficulty counters miners report: each increase of a
/// counter is work the pool accepted (difficulty-1 units, 2^32 hashes each), done evenly over the time since the previous
/// reading; the work falling in a sliding window divided by the window is the delivered hashrate. An increase that spans
/// more than the window (the first reading after a broker outage) counts only its share inside it, so a gap in telemetry
/// reads as the rate the miners kept, not as a burst. A counter that drops (miner restart) starts a new baseline and
/// credits nothing.
/// Memory is bounded by the window: each reading drops its counter's work older than the window (before, only a pool a
/// contract asked about was pruned, so the house pool's and every other pool's work piled up, 40 bytes per miner per
/// reading: the soak's growing heap), and a counter not read for <see cref="ForgetAfter"/> is forgotten.
/// Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed class DeliveryMeter
{
    /// <summary>Hashes per difficulty-1 share.</summary>
    public const double HashesPerDifficulty = 4294967296.0;

    private readonly Dictionary<(string Miner, PoolKey Pool), Series> _series = [];
    private readonly Dictionary<PoolKey, List<Series>> _byPool = [];
    private DateTimeOffset _latestAt = DateTimeOffset.MinValue;
    private DateTimeOffset _sweptAt = DateTimeOffset.MinValue;
    private long _credits;

    public DeliveryMeter(TimeSpan window, TimeSpan? minimumSpan = null)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The proof window must be positive, e.g. 15 minutes.");
        }

        Window = window;
        MinimumSpan = minimumSpan ?? TimeSpan.FromTicks(Math.Min(window.Ticks, TimeSpan.FromMinutes(1).Ticks));
    }

    public TimeSpan Window { get; }

    /// <summary>
    /// A counter (miner and pool) with no reading for this long is forgotten: the window or an hour, whichever is longer
    /// (a pool taken out of a miner's configuration, a miner removed). Read again later, it starts with a baseline.
    /// </summary>
    public TimeSpan ForgetAfter => Window > TimeSpan.FromHours(1) ? Window : TimeSpan.FromHours(1);

    /// <summary>Counters (miner and pool) the meter holds.</summary>
    public int CounterCount => _series.Count;

    /// <summary>Work records (one per counter increase) the meter holds, all inside the window of their counter's latest reading; safe to read from any thread.</summary>
    public long CreditCount => Interlocked.Read(ref _credits);

    /// <summary>How long a pool must have been observed before a delivered rate is given (shorter spans are too noisy).</summary>
    public TimeSpan MinimumSpan { get; }

    /// <summary>Counter drops seen (miner restarts).</summary>
    public long Resets { get; private set; }

    /// <summary>Counter jumps no machine could have earned in the time (see <see cref="Fleet.Miner.HashrateLimitHs"/>), not credited.</summary>
    public long Implausible { get; private set; }

    /// <summary>The hashrate (H/s) the latest implausible counter jump would have taken; 0 before any.</summary>
    public double LastImplausibleHs { get; private set; }

    /// <summary>Feeds one reading of a miner's pool counter; returns the difficulty credited (0 for a baseline, a repeat or a reset).</summary>
    public double Observe(string minerId, PoolKey pool, double difficultyAccepted, DateTimeOffset at) =>
        Observe(minerId, pool, difficultyAccepted, at, out _);

    /// <summary>As <see cref="Observe(string, PoolKey, double, DateTimeOffset)"/>; <paramref name="since"/> is the previous reading's time: the credited work was done in [since, at).</summary>
    public double Observe(string minerId, PoolKey pool, double difficultyAccepted, DateTimeOffset at, out DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        since = at;
        if (!double.IsFinite(difficultyAccepted) || difficultyAccepted < 0)
        {
            return 0;
        }

        if (at > _latestAt)
        {
            _latestAt = at;
            if (at - _sweptAt >= Window)
            {
                Sweep(at);
            }
        }

        if (!_series.TryGetValue((minerId, pool), out Series? s))
        {
            s = new Series(difficultyAccepted, at);
            _series[(minerId, pool)] = s;
            if (!_byPool.TryGetValue(pool, out List<Series>? list))
            {
                list = [];
                _byPool[pool] = list;
            }

            list.Add(s);
            return 0;
        }

        // The engine samples the latest telemetry on every tick; the same reading seen twice credits nothing.
        if (at <= s.LastAt)
        {
            return 0;
        }

        double previous = s.Last;
        since = s.LastAt;
        s.Last = difficultyAccepted;
        s.LastAt = at;
        if (difficultyAccepted < previous)
        {
            Resets++;
            return 0;
        }

        double delta = difficultyAccepted - previous;

        // More work than any machine can do in the time (a counter jump to 1e300) is not delivery: crediting it would
        // overflow the ledger's decimal columns at the hour's close. It starts a new baseline like a reset.
        double impliedHs = delta * HashesPerDifficulty / (at - since).TotalSeconds;
        if (impliedHs > Fleet.Miner.HashrateLimitHs)
        {
            Implausible++;
            LastImplausibleHs = impliedHs;
            return 0;
        }

        if (delta > 0)
        {
            s.Deltas.Enqueue(new Credit(since, at, delta));
            Interlocked.Increment(ref _credits);
        }

        // Work older than a window before this counter's latest reading is never read again (DeliveredHs reads the
        // window ending at the latest reading, or earlier only for a reading stamped after its own "now").
        DropBefore(s, at - Window);
        return delta;
    }

    /// <summary>
    /// Takes a reading that is not believed (its miner is suspect) as the new baseline: nothing is credited for it, nor
    /// for the work since the previous reading, so a suspect miner's counters never count as delivery, and its first
    /// believed reading afterwards credits only what it did since this one.
    /// </summary>
    public void Rebase(string minerId, PoolKey pool, double difficultyAccepted, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        if (!double.IsFinite(difficultyAccepted) || difficultyAccepted < 0)
        {
            return;
        }

        if (!_series.TryGetValue((minerId, pool), out Series? s))
        {
            Observe(minerId, pool, difficultyAccepted, at);
            return;
        }

        if (at > s.LastAt)
        {
            s.Last = difficultyAccepted;
            s.LastAt = at;
        }
    }

    /// <summary>Delivered hashrate to <paramref name="pool"/> over the window ending at <paramref name="now"/>, H/s; null until observed for <see cref="MinimumSpan"/>.</summary>
    public double? DeliveredHs(PoolKey pool, DateTimeOffset now)
    {
        if (!_byPool.TryGetValue(pool, out List<Series>? list) || list.Count == 0)
        {
            return null;
        }

        DateTimeOffset first = list.Min(s => s.FirstAt);
        TimeSpan span = now - first < Window ? now - first : Window;
        if (span < MinimumSpan || span <= TimeSpan.Zero)
        {
            return null;
        }

        // Each miner's rate is taken over the window ending at its own latest reading, then the rates add up: work is
        // known only up to a counter's last reading, so a window ending at `now` would always miss the time since (a
        // telemetry interval in a 15 s window reads several percent low, enough to look like under-delivery). A miner
        // with no reading for a whole window adds nothing.
        double rate = 0;
        foreach (Series s in list)
        {
            DateTimeOffset end = s.LastAt < now ? s.LastAt : now;
            TimeSpan own = end - s.FirstAt < Window ? end - s.FirstAt : Window;
            DropBefore(s, end - Window);

            if (end <= now - Window || own <= TimeSpan.Zero)
            {
                continue;
            }

            DateTimeOffset from = end - own;
            double sum = 0;
            foreach (Credit c in s.Deltas)
            {
                // The part of [Since, At) inside (from, end]: work is credited in proportion to its time in the window.
                DateTimeOffset start = c.Since > from ? c.Since : from;
                DateTimeOffset stop = c.At < end ? c.At : end;
                if (stop > start)
                {
                    sum += c.Delta * ((stop - start) / (c.At - c.Since));
                }
            }

            rate += sum / own.TotalSeconds;
        }

        return rate * HashesPerDifficulty;
    }

    private void DropBefore(Series s, DateTimeOffset limit)
    {
        while (s.Deltas.TryPeek(out Credit head) && head.At <= limit)
        {
            s.Deltas.Dequeue();
            Interlocked.Decrement(ref _credits);
        }
    }

    // Forgets the counters not read for ForgetAfter (at most once per window of readings).
    private void Sweep(DateTimeOffset now)
    {
        _sweptAt = now;
        DateTimeOffset limit = now - ForgetAfter;
        List<(string Miner, PoolKey Pool)> silent = [.. _series.Where(p => p.Value.LastAt < limit).Select(p => p.Key)];
        if (silent.Count == 0)
        {
            return;
        }

        foreach ((string Miner, PoolKey Pool) key in silent)
        {
            if (_series.Remove(key, out Series? gone))
            {
                Interlocked.Add(ref _credits, -gone.Deltas.Count);
            }
        }

        foreach (PoolKey pool in silent.Select(k => k.Pool).Distinct().ToList())
        {
            List<Series> list = _byPool[pool];
            list.RemoveAll(s => s.LastAt < limit);
            if (list.Count == 0)
            {
                _byPool.Remove(pool);
            }
        }
    }

    private sealed class Series(double last, DateTimeOffset at)
    {
        public DateTimeOffset FirstAt { get; } = at;

        public double Last { get; set; } = last;

        public DateTimeOffset LastAt { get; set; } = at;

        public Queue<Credit> Deltas { get; } = new();
    }

    // Work credited between two readings of one counter: Delta difficulty done in [Since, At). UTC ticks rather than two
    // DateTimeOffsets: 24 bytes a record instead of 40, and a window holds one per counter per reading.
    private readonly struct Credit(DateTimeOffset since, DateTimeOffset at, double delta)
    {
        private readonly long _since = since.UtcTicks;
        private readonly long _at = at.UtcTicks;

        public DateTimeOffset Since => new(_since, TimeSpan.Zero);

        public DateTimeOffset At => new(_at, TimeSpan.Zero);

        public double Delta { get; } = delta;
    }
}
