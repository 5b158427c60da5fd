namespace CloudMining.Farm.Ctl.Client;

/// <summary>The controller's local API did not answer at all (not running, wrong --api, timeout).</summary>
public sealed class ControllerUnreachableException : Exception
{
    public ControllerUnreachableException(Uri api, string reason, Exception? innerException = null)
        : base($"cannot reach farm-controller at {api.ToString().TrimEnd('/')}: {reason}; is `farm-controller run` running? (set --api or FARMCTL_API if it listens elsewhere)", innerException)
    {
        Api = api;
    }

    public ControllerUnreachableException()
    {
    }

    public ControllerUnreachableException(string message)
        : base(message)
    {
    }

    public ControllerUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Uri? Api { get; }
}
