namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>A read came sooner than the pool allows on that key: it was not sent (or the pool answered 429).</summary>
public sealed class PoolRateLimitedException : PoolApiException
{
    public PoolRateLimitedException()
    {
    }

    public PoolRateLimitedException(string message)
        : base(message)
    {
    }

    public PoolRateLimitedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>When the next request on the key may be sent.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}
