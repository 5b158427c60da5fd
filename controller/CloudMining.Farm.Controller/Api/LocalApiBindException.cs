namespace CloudMining.Farm.Controller.Api;

/// <summary>The local API could not listen on its address, usually because another process (another controller?) holds the port.</summary>
public sealed class LocalApiBindException : Exception
{
    public LocalApiBindException(Uri url, Exception innerException)
        : base(
            $"the local API cannot listen on {url}: {innerException?.Message} Is another farm-controller running? " +
            "Stop it, or set Controller:Api:Url to a free loopback port (farmctl --api URL then reaches it).",
            innerException)
    {
        Url = url;
    }

    public LocalApiBindException()
    {
    }

    public LocalApiBindException(string message)
        : base(message)
    {
    }

    public LocalApiBindException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The address that could not be bound.</summary>
    public Uri? Url { get; }
}
