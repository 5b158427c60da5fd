namespace CloudMining.Farm.Influx.Write;

/// <summary>Batching, retry and spill settings of <see cref="WriteApi"/> (config <c>Influx:Write:*</c>), named like InfluxDB.Client's WriteOptions.</summary>
public sealed class WriteOptions
{
    /// <summary>Points per HTTP request; a batch is sent as soon as it is full.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>A partial batch is sent after at most this long.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Batches sent at once (oldest first). 1, like InfluxDB.Client and <c>influx -import</c>, is the safe default; 2 was
    /// ~25 % faster into an idle influxd but ~1.5x slower on a CPU-starved host (docs/benchmarks.md).
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 1;

    /// <summary>First retry delay; doubles (with jitter) per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of one retry delay, also how often a down or misconfigured server is probed again.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Quick retries of one batch before the writer backs off and keeps it queued (it is never dropped for being unsent).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Points held in memory awaiting the server; beyond this whole batches spill to <see cref="SpillDirectory"/>.</summary>
    public int MaxBufferedPoints { get; set; } = 100_000;

    /// <summary>Where batches go when memory is full or at shutdown; replayed in order when the server answers again. Null disables spilling (then the memory bound drops points, counted).</summary>
    public string? SpillDirectory { get; set; }

    /// <summary>Bound of the spill directory; a batch that would exceed it is dropped and counted in <see cref="WriteApiStatistics.PointsDropped"/>.</summary>
    public long MaxSpillBytes { get; set; } = 1L << 30;

    /// <summary>How long disposal keeps trying to deliver before it spills what is left.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for the first problem of <see cref="WriteOptionsValidator.Problems"/>.</summary>
    internal void Validate()
    {
        if (WriteOptionsValidator.Problems(this) is [var first, ..])
        {
            throw new ArgumentOutOfRangeException(first.Key[(first.Key.LastIndexOf(':') + 1)..], first.ToString());
        }
    }
}
