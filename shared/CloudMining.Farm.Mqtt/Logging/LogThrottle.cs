namespace CloudMining.Farm.Mqtt.Logging;

/// <summary>
/// Bounds how often one kind of log line is written: a burst of <c>burst</c> lines, then one per <c>interval</c>
/// (a token bucket on the injected clock). Lines held back are counted and reported with the next one written, so a
/// flood of bad input or a reconnect storm costs a few lines a minute, not megabytes.
/// </summary>
public sealed class LogThrottle
{
    private readonly TimeProvider time;
    private readonly TimeSpan interval;
    private readonly int burst;
    private readonly Lock gate = new();
    private double tokens;
    private long lastRefill;
    private long suppressed;

    public LogThrottle(TimeProvider time, TimeSpan interval, int burst = 5)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        this.time = time;
        this.interval = interval;
        this.burst = burst;
        tokens = burst;
        lastRefill = time.GetTimestamp();
    }

    /// <summary>Lines held back so far that were not yet reported by a line written since.</summary>
    public long Suppressed
    {
        get
        {
            lock (gate)
            {
                return suppressed;
            }
        }
    }

    /// <summary>True when a line may be written now; <paramref name="heldBack"/> says how many were held back before it.</summary>
    public bool TryAcquire(out long heldBack)
    {
        lock (gate)
        {
            long now = time.GetTimestamp();
            tokens = Math.Min(burst, tokens + (time.GetElapsedTime(lastRefill, now) / interval));
            lastRefill = now;
            if (tokens >= 1)
            {
                tokens -= 1;
                heldBack = suppressed;
                suppressed = 0;
                return true;
            }

            suppressed++;
            heldBack = 0;
            return false;
        }
    }
}
