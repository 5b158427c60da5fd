namespace CloudMining.Farm.Controller.Contracts;

/// <summary>A contract input that cannot be accepted; <see cref="Field"/> names the offending field so a form or CLI can point at it.</summary>
public sealed class ContractValidationException : Exception
{
    public ContractValidationException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
    }

    public ContractValidationException()
    {
        Field = string.Empty;
    }

    public ContractValidationException(string message)
        : base(message)
    {
        Field = string.Empty;
    }

    public ContractValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    /// <summary>The name of the invalid field, e.g. "pool.url" or "worker".</summary>
    public string Field { get; }
}
