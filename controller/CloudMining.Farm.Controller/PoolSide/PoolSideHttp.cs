namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>The HTTP client the pool adapters share, owned (and disposed) by the container.</summary>
public sealed class PoolSideHttp(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client ?? throw new ArgumentNullException(nameof(client));

    public void Dispose() => Client.Dispose();
}
