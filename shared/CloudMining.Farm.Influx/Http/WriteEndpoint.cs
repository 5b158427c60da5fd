using System.Net;
using System.Text;
using CloudMining.Farm.Influx.Client;

namespace CloudMining.Farm.Influx.Http;

/// <summary>
/// Where a batch of line protocol goes: <see cref="V2WriteEndpoint"/> (InfluxDB.Client's v2 write API) or
/// <see cref="V1WriteEndpoint"/> (a plain <c>POST /write</c> for InfluxDB 1.x before 1.8). One request per call,
/// classified into a <see cref="WriteOutcome"/>; no retries here (the resilience pipeline owns those). Credentials go
/// in headers or query parameters, never into messages.
/// </summary>
public abstract class WriteEndpoint : IDisposable
{
    protected WriteEndpoint(InfluxDBClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        InfluxDBClientOptionsValidator.Validate(options);
        Options = options;
    }

    protected InfluxDBClientOptions Options { get; }

    /// <summary>The write URL without credentials, for logs and messages.</summary>
    public abstract string SafeEndpoint { get; }

    /// <summary>The endpoint for <see cref="InfluxDBClientOptions.ApiVersion"/>; <paramref name="httpClient"/> is borrowed, not disposed.</summary>
    public static WriteEndpoint Create(InfluxDBClientOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        InfluxDBClientOptionsValidator.Validate(options);
        return options.ApiVersion == InfluxApiVersion.V2 ? new V2WriteEndpoint(options, httpClient) : new V1WriteEndpoint(options, httpClient);
    }

    /// <summary>
    /// Sends newline-separated line protocol (timestamps in the configured precision) once. Throws
    /// <see cref="HttpRequestException"/> when the server cannot be reached and <see cref="TimeoutException"/> after
    /// Influx:Timeout; every HTTP answer comes back as an outcome.
    /// </summary>
    public abstract Task<WriteOutcome> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>
    /// Checks reachability, credentials and the database/bucket with an empty write, which the server authorises and
    /// routes like a real one but stores nothing; throws <see cref="InfluxConfigurationException"/> naming the setting.
    /// </summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        WriteOutcome outcome;
        try
        {
            outcome = await SendAsync(ReadOnlyMemory<byte>.Empty, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new InfluxConfigurationException("Influx:Url", $"Cannot reach InfluxDB at {SafeEndpoint} ({ex.Message}). Check Influx:Url (host, port — 8086 by default — and http vs https) and that the server is running.", ex);
        }
        catch (TimeoutException ex)
        {
            throw new InfluxConfigurationException("Influx:Url", $"{ex.Message} Check Influx:Url and the network path to the server.", ex);
        }

        if (outcome.Kind == WriteOutcomeKind.Accepted)
        {
            return;
        }

        throw DescribeMisconfiguration(outcome);
    }

    /// <summary>Turns a 401/403/404 (or any refusal of an empty write) into the configuration error that explains it.</summary>
    public InfluxConfigurationException DescribeMisconfiguration(WriteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        string server = outcome.ServerMessage ?? "";
        bool v1 = Options.ApiVersion == InfluxApiVersion.V1;
        return outcome.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when v1 => new InfluxConfigurationException(
                string.IsNullOrEmpty(Options.Username) ? "Influx:Username" : "Influx:Password",
                $"InfluxDB at {SafeEndpoint} refused the credentials ({(int)outcome.StatusCode!} {server}). Check Influx:Username and Influx:Password, and that the user may WRITE to database \"{Options.Database}\"."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new InfluxConfigurationException(
                "Influx:Token",
                $"InfluxDB at {SafeEndpoint} refused the token ({(int)outcome.StatusCode!} {server}). Check Influx:Token and that it has write permission on bucket \"{Options.Bucket}\" in org \"{Options.Org}\"."),
            HttpStatusCode.NotFound when v1 && server.Contains("database not found", StringComparison.OrdinalIgnoreCase) => new InfluxConfigurationException(
                "Influx:Database",
                $"InfluxDB at {SafeEndpoint} has no database \"{Options.Database}\" ({server}). Create it (influx -execute 'CREATE DATABASE \"{Options.Database}\"') or fix Influx:Database."),
            HttpStatusCode.NotFound when v1 && server.Contains("retention policy not found", StringComparison.OrdinalIgnoreCase) => new InfluxConfigurationException(
                "Influx:RetentionPolicy",
                $"InfluxDB at {SafeEndpoint} has no retention policy \"{Options.RetentionPolicy}\" ({server}). Fix Influx:RetentionPolicy or leave it empty for the default."),
            HttpStatusCode.NotFound when !v1 && (server.Contains("bucket", StringComparison.OrdinalIgnoreCase) || server.Contains("org", StringComparison.OrdinalIgnoreCase)) => new InfluxConfigurationException(
                server.Contains("org", StringComparison.OrdinalIgnoreCase) && !server.Contains("bucket", StringComparison.OrdinalIgnoreCase) ? "Influx:Org" : "Influx:Bucket",
                $"InfluxDB at {SafeEndpoint} does not know org \"{Options.Org}\" / bucket \"{Options.Bucket}\" ({server}). Fix Influx:Org and Influx:Bucket or create the bucket."),
            HttpStatusCode.NotFound => new InfluxConfigurationException(
                "Influx:Url",
                $"{SafeEndpoint} answered 404 ({server}); Influx:Url does not point at an InfluxDB {(v1 ? "1.x" : "2.x")} HTTP API. Check the host, port and path, and Influx:ApiVersion."),
            _ => new InfluxConfigurationException(
                "Influx:Url",
                $"InfluxDB at {SafeEndpoint} refused an empty test write ({(int?)outcome.StatusCode} {server}). Check Influx:Url and Influx:ApiVersion."),
        };
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>The outcome of an HTTP answer that was not 2xx: its class, the server's message and the lines it named.</summary>
    protected static WriteOutcome Refusal(HttpStatusCode status, string message, TimeSpan? retryAfter, ReadOnlySpan<byte> body)
    {
        WriteOutcomeKind kind = Classify(status);
        IReadOnlyList<string> offending = kind == WriteOutcomeKind.Rejected ? FindOffendingLines(message, body) : [];
        return new WriteOutcome(kind, status, message, retryAfter, offending);
    }

    internal static WriteOutcomeKind Classify(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity => WriteOutcomeKind.Rejected,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound => WriteOutcomeKind.Misconfigured,
        HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => WriteOutcomeKind.Retryable,
        >= HttpStatusCode.InternalServerError => WriteOutcomeKind.Retryable,
        _ => WriteOutcomeKind.Rejected,
    };

    /// <summary>Finds the batch lines the server's message quotes (1.x: <c>unable to parse '&lt;line&gt;': reason</c>).</summary>
    internal static IReadOnlyList<string> FindOffendingLines(string message, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(message) || body.IsEmpty)
        {
            return [];
        }

        var found = new List<string>();
        foreach (string line in Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (message.Contains("'" + line + "'", StringComparison.Ordinal))
            {
                found.Add(line);
            }
        }

        return found;
    }
}
