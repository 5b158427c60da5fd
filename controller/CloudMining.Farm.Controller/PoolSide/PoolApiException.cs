namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>A pool API could not be read: what failed, at which pool, and what to do. Never carries the key.</summary>
public class PoolApiException : Exception
{
    public PoolApiException()
    {
    }

    public PoolApiException(string message)
        : base(message)
    {
    }

    public PoolApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
