namespace CloudMining.Farm.Ctl.Cli;

/// <summary>A command line that parsed but makes no sense (e.g. both --end and --open-ended); exit code 2.</summary>
public sealed class CtlUsageException : Exception
{
    public CtlUsageException()
    {
    }

    public CtlUsageException(string message)
        : base(message)
    {
    }

    public CtlUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
