namespace CloudMining.Farm.Ctl.Client;

/// <summary>The controller asked for its API token (401) and farmctl has none it could read, or one it does not accept.</summary>
public sealed class ControllerTokenException : Exception
{
    public ControllerTokenException()
    {
    }

    public ControllerTokenException(string message)
        : base(message)
    {
    }

    public ControllerTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
