using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Contracts;

/// <summary>A validated stratum pool endpoint and worker name: where a contract's (or the house's) hashrate is pointed.</summary>
public sealed record PoolAccount
{
    /// <summary>Longest worker name accepted; pools commonly cut or reject longer names.</summary>
    public const int MaxWorkerLength = PoolEndpointRules.MaxWorkerLength;

    private PoolAccount(string url, string scheme, string host, int port, string worker)
    {
        Url = url;
        Scheme = scheme;
        Host = host;
        Port = port;
        Worker = worker;
    }

    /// <summary>The URL as given, e.g. "stratum+tcp://btc.pool.example:3333".</summary>
    public string Url { get; }

    public string Scheme { get; }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The pool account's worker name, e.g. "alice.rig7".</summary>
    public string Worker { get; }

    /// <summary>Validates and builds a pool target; throws <see cref="ContractValidationException"/> naming "pool.url" or "pool.worker".</summary>
    public static PoolAccount Create(string? url, string? worker)
    {
        const string UrlField = "pool.url";
        const string WorkerField = "pool.worker";

        // The rules live in shared so the agent validates desired pool state exactly as the controller does.
        if (PoolEndpointRules.UrlProblem(url, out PoolEndpoint? endpoint) is { } urlProblem)
        {
            throw new ContractValidationException(UrlField, urlProblem);
        }

        if (PoolEndpointRules.WorkerProblem(worker) is { } workerProblem)
        {
            throw new ContractValidationException(WorkerField, workerProblem);
        }

        return new PoolAccount(endpoint!.Url, endpoint.Scheme, endpoint.Host, endpoint.Port, worker!);
    }

    public override string ToString() => $"{Url} ({Worker})";
}
