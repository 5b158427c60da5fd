namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>
/// Lets one log line through per period and counts the ones it held back, so a flood of bad input from one client
/// becomes one line a period instead of a log growing megabytes a minute. Thread-safe.
/// </summary>
public sealed class LogThrottle
{
    private readonly TimeSpan period;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private DateTimeOffset? last;
    private long held;

    public LogThrottle(TimeSpan period, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        this.period = period;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>True when a line may be written now; <paramref name="heldBack"/> is how many were not written since the last one.</summary>
    public bool TryEnter(out long heldBack)
    {
        DateTimeOffset now = time.GetUtcNow();
        lock (gate)
        {
            if (last is { } at && now - at < period)
            {
                held++;
                heldBack = held;
                return false;
            }

            last = now;
            heldBack = held;
            held = 0;
            return true;
        }
    }
}
