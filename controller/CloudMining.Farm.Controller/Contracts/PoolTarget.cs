using System.Globalization;

namespace CloudMining.Farm.Controller.Contracts;

/// <summary>A validated stratum pool endpoint and worker name: where a contract's (or the house's) hashrate is pointed.</summary>
public sealed record PoolTarget
{
    /// <summary>Longest worker name accepted; pools commonly cut or reject longer names.</summary>
    public const int MaxWorkerLength = 64;

    private static readonly string[] Schemes = ["stratum+tcp", "stratum+ssl", "stratum2+tcp"];

    private PoolTarget(string url, string scheme, string host, int port, string worker)
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
    public static PoolTarget Create(string? url, string? worker)
    {
        const string UrlField = "pool.url";
        const string WorkerField = "pool.worker";
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new ContractValidationException(UrlField, "is empty; give the pool URL such as 'stratum+tcp://pool.example.com:3333'.");
        }

        int sep = url.IndexOf("://", StringComparison.Ordinal);
        string scheme = sep > 0 ? url[..sep].ToLowerInvariant() : string.Empty;
        if (Array.IndexOf(Schemes, scheme) < 0)
        {
            throw new ContractValidationException(UrlField, $"'{url}' must start with stratum+tcp://, stratum+ssl:// or stratum2+tcp://.");
        }

        string rest = url[(sep + 3)..];
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || rest.Contains('/', StringComparison.Ordinal) || rest.Contains('@', StringComparison.Ordinal))
        {
            throw new ContractValidationException(UrlField, $"'{url}' must be scheme://host:port with no path or credentials, e.g. 'stratum+tcp://pool.example.com:3333'.");
        }

        string host = rest[..colon];
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw new ContractValidationException(UrlField, $"'{host}' in '{url}' is not a valid host name or IP address.");
        }

        if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new ContractValidationException(UrlField, $"the port in '{url}' must be a number from 1 to 65535.");
        }

        if (string.IsNullOrEmpty(worker))
        {
            throw new ContractValidationException(WorkerField, "is empty; give the pool account's worker name such as 'alice.rig1'.");
        }

        if (worker.Length > MaxWorkerLength)
        {
            throw new ContractValidationException(WorkerField, $"is {worker.Length} characters long; at most {MaxWorkerLength} are allowed.");
        }

        foreach (char c in worker)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ContractValidationException(WorkerField, $"'{worker}' contains '{c}'; only letters A-Z a-z, digits, '.', '_' and '-' are allowed.");
            }
        }

        return new PoolTarget(url, scheme, host, port, worker);
    }

    public override string ToString() => $"{Url} ({Worker})";
}
