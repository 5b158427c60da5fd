using System.Globalization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// What a pool URL and worker name must look like, for the controller (contracts, house pool) and the agent (desired
/// pool state) alike: scheme stratum+tcp / stratum+ssl / stratum2+tcp, host, port 1–65535, no path, no credentials;
/// URLs of at most <see cref="MaxUrlLength"/> characters; workers of letters, digits, '.', '_' and '-', at most
/// <see cref="MaxWorkerLength"/> characters. The problems are sentences without the field name, so each caller can
/// prefix its own ("pool.url", "miners[3].pools[0].url"); what they echo of the input is bounded (<see cref="BoundedText"/>).
/// </summary>
public static class PoolEndpointRules
{
    /// <summary>Longest worker name accepted; pools commonly cut or reject longer names.</summary>
    public const int MaxWorkerLength = 64;

    /// <summary>Longest pool URL accepted; real ones are well under 100 characters.</summary>
    public const int MaxUrlLength = 256;

    /// <summary>The accepted URL schemes, lower case.</summary>
    public static IReadOnlyList<string> Schemes { get; } = ["stratum+tcp", "stratum+ssl", "stratum2+tcp"];

    /// <summary>Why <paramref name="url"/> is not an acceptable pool URL, or null (and the parsed endpoint) if it is.</summary>
    public static string? UrlProblem(string? url, out PoolEndpoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return "is empty; give the pool URL such as 'stratum+tcp://pool.example.com:3333'.";
        }

        if (url.Length > MaxUrlLength)
        {
            // Not echoed whole: a megabyte URL must not become a megabyte log line or event.
            return $"is {url.Length} characters long; at most {MaxUrlLength} are allowed.";
        }

        int sep = url.IndexOf("://", StringComparison.Ordinal);
        string scheme = sep > 0 ? url[..sep].ToLowerInvariant() : string.Empty;
        if (!Schemes.Contains(scheme))
        {
            return $"'{Printable(url)}' must start with stratum+tcp://, stratum+ssl:// or stratum2+tcp://.";
        }

        string rest = url[(sep + 3)..];
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || rest.Contains('/', StringComparison.Ordinal) || rest.Contains('@', StringComparison.Ordinal))
        {
            // Never echo a URL with user:password@ back (Printable masks it): the message may reach a log or an event.
            return $"'{Printable(url)}' must be scheme://host:port with no path or credentials, e.g. 'stratum+tcp://pool.example.com:3333'.";
        }

        string host = rest[..colon];
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            return $"'{Printable(host)}' in '{Printable(url)}' is not a valid host name or IP address.";
        }

        if (!int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            return $"the port in '{Printable(url)}' must be a number from 1 to 65535.";
        }

        endpoint = new PoolEndpoint(url, scheme, host, port);
        return null;
    }

    /// <summary>Why <paramref name="worker"/> is not an acceptable worker name, or null if it is.</summary>
    public static string? WorkerProblem(string? worker)
    {
        if (string.IsNullOrEmpty(worker))
        {
            return "is empty; give the pool account's worker name such as 'alice.rig1'.";
        }

        if (worker.Length > MaxWorkerLength)
        {
            return $"is {worker.Length} characters long; at most {MaxWorkerLength} are allowed.";
        }

        foreach (char c in worker)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"'{Printable(worker)}' contains '{Printable(c.ToString())}'; only letters A-Z a-z, digits, '.', '_' and '-' are allowed.";
            }
        }

        return null;
    }

    // A control character in a message would break a log line or a terminal; show it escaped, never too much of it,
    // and never a user:password@ part.
    private static string Printable(string text) => BoundedText.Echo(TelemetryPool.SanitizeUrl(text));
}
