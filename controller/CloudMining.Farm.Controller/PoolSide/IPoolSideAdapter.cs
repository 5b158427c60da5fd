namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// The seam to one pool API: reads a worker's hashrate with the customer's read-only key. An implementation sends at
/// most one request per <see cref="MinimumInterval"/> per key (the pool's published limit) and refuses, without
/// sending, a read that comes sooner (<see cref="PoolRateLimitedException"/>); a refused key is a
/// <see cref="PoolKeyRefusedException"/>; no message, log line or exception ever contains the key.
/// </summary>
public interface IPoolSideAdapter
{
    PoolApiKind Kind { get; }

    /// <summary>The shortest spacing of requests on one key the pool allows.</summary>
    TimeSpan MinimumInterval { get; }

    Task<PoolWorkerReading> ReadAsync(PoolWatch watch, CancellationToken cancellationToken);
}
