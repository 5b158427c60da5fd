namespace CloudMining.Farm.Mqtt.Logging;

/// <summary>
/// Bounds how often one kind of log line is written: a burst of <c>burst</c> lines, then one per <c>interval</c>
/// (a token bucket on the injected clock). Lines held back are counted and reported with the next one written, so a
/// flood of bad input or a reconnect storm costs a few lines a minute, not megabytes.
/// </summary>
public sealed class LogThrottle
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly int _burst;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _lastRefill;
    private long _suppressed;

    public LogThrottle(TimeProvider time, TimeSpan interval, int burst = 5)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = time;
        _interval = interval;
        _burst = burst;
        _tokens = burst;
        _lastRefill = time.GetTimestamp();
    }

    /// <summary>Lines held back so far that were not yet reported by a line written since.</summary>
    public long Suppressed
    {
        get
        {
            lock (_gate)
            {
                return _suppressed;
            }
        }
    }

    /// <summary>True when a line may be written now; <paramref name="heldBack"/> says how many were held back before it.</summary>
    public bool TryAcquire(out long heldBack)
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_lastRefill, now) / _interval));
            _lastRefill = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                heldBack = _suppressed;
                _suppressed = 0;
                return true;
            }

            _suppressed++;
            heldBack = 0;
            return false;
        }
    }
}
