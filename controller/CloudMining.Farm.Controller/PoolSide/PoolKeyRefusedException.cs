namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>The pool refused the contract's read-only key (revoked, mistyped, or for another account).</summary>
public sealed class PoolKeyRefusedException : PoolApiException
{
    public PoolKeyRefusedException()
    {
    }

    public PoolKeyRefusedException(string message)
        : base(message)
    {
    }

    public PoolKeyRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
