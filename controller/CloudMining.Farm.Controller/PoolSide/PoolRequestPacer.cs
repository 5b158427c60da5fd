namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// Keeps requests on one pool key at least the pool's minimum interval apart: a request is reserved before it is sent,
/// and one that comes too soon is refused without being sent. Thread-safe.
/// </summary>
public sealed class PoolRequestPacer(TimeProvider time)
{
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly Dictionary<(PoolApiKind, string, string), DateTimeOffset> _last = [];
    private readonly Lock _gate = new();

    /// <summary>Reserves a request on <paramref name="watch"/>'s key now, or throws <see cref="PoolRateLimitedException"/> saying when the next may go.</summary>
    public void Reserve(PoolWatch watch, TimeSpan minimumInterval)
    {
        ArgumentNullException.ThrowIfNull(watch);
        DateTimeOffset now = _time.GetUtcNow();
        var key = (watch.Kind, watch.ApiUrl.AbsoluteUri, watch.Key.Reveal());
        lock (_gate)
        {
            if (_last.TryGetValue(key, out DateTimeOffset last) && now - last < minimumInterval)
            {
                DateTimeOffset next = last + minimumInterval;
                throw new PoolRateLimitedException($"Not sent: {watch.Kind} allows one request per {minimumInterval.TotalSeconds:0.#} s on a key and the last went at {last:HH:mm:ss}; the next may go at {next:HH:mm:ss}.")
                {
                    RetryAt = next,
                };
            }

            _last[key] = now;
        }
    }
}
