using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.LineProtocol;

namespace CloudMining.Farm.Influx.Http;

/// <summary>
/// One HTTP write request to the v1 or v2 endpoint, classified into a <see cref="WriteOutcome"/>; no retries here
/// (the resilience pipeline owns those). Credentials go in headers or query parameters, never into messages.
/// </summary>
public sealed class InfluxHttpWriter
{
    private readonly HttpClient _http;
    private readonly InfluxDBClientOptions _options;
    private readonly Uri _writeUri;
    private readonly AuthenticationHeaderValue? _authorization;

    public InfluxHttpWriter(HttpClient http, InfluxDBClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        InfluxDBClientOptionsValidator.Validate(options);
        _http = http;
        _options = options;
        (_writeUri, _authorization) = BuildEndpoint(options);
        SafeEndpoint = BuildSafeEndpoint(options);
    }

    /// <summary>The write URL without credentials, for logs and messages.</summary>
    public string SafeEndpoint { get; }

    /// <summary>Sends newline-separated line protocol (timestamps in the configured precision) once.</summary>
    public async Task<WriteOutcome> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _writeUri);
        request.Headers.Authorization = _authorization;
        using PooledByteBuffer? compressed = _options.EnableGzip && !body.IsEmpty ? Gzip(body.Span) : null;
        request.Content = new ReadOnlyMemoryContent(compressed?.WrittenMemory ?? body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (compressed is not null)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer from {SafeEndpoint} within Influx:Timeout ({_options.Timeout}).", ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return WriteOutcome.Accepted(response.StatusCode);
            }

            string text = await response.Content.ReadAsStringAsync(cancellationToken);
            string message = ExtractMessage(text, response);
            WriteOutcomeKind kind = Classify(response.StatusCode);
            IReadOnlyList<string> offending = kind == WriteOutcomeKind.Rejected ? FindOffendingLines(message, body.Span) : [];
            return new WriteOutcome(kind, response.StatusCode, message, RetryAfter(response), offending);
        }
    }

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
        bool v1 = _options.ApiVersion == InfluxApiVersion.V1;
        return outcome.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when v1 => new InfluxConfigurationException(
                string.IsNullOrEmpty(_options.Username) ? "Influx:Username" : "Influx:Password",
                $"InfluxDB at {SafeEndpoint} refused the credentials ({(int)outcome.StatusCode!} {server}). Check Influx:Username and Influx:Password, and that the user may WRITE to database \"{_options.Database}\"."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new InfluxConfigurationException(
                "Influx:Token",
                $"InfluxDB at {SafeEndpoint} refused the token ({(int)outcome.StatusCode!} {server}). Check Influx:Token and that it has write permission on bucket \"{_options.Bucket}\" in org \"{_options.Org}\"."),
            HttpStatusCode.NotFound when v1 && server.Contains("database not found", StringComparison.OrdinalIgnoreCase) => new InfluxConfigurationException(
                "Influx:Database",
                $"InfluxDB at {SafeEndpoint} has no database \"{_options.Database}\" ({server}). Create it (influx -execute 'CREATE DATABASE \"{_options.Database}\"') or fix Influx:Database."),
            HttpStatusCode.NotFound when v1 && server.Contains("retention policy not found", StringComparison.OrdinalIgnoreCase) => new InfluxConfigurationException(
                "Influx:RetentionPolicy",
                $"InfluxDB at {SafeEndpoint} has no retention policy \"{_options.RetentionPolicy}\" ({server}). Fix Influx:RetentionPolicy or leave it empty for the default."),
            HttpStatusCode.NotFound when !v1 && (server.Contains("bucket", StringComparison.OrdinalIgnoreCase) || server.Contains("org", StringComparison.OrdinalIgnoreCase)) => new InfluxConfigurationException(
                server.Contains("org", StringComparison.OrdinalIgnoreCase) && !server.Contains("bucket", StringComparison.OrdinalIgnoreCase) ? "Influx:Org" : "Influx:Bucket",
                $"InfluxDB at {SafeEndpoint} does not know org \"{_options.Org}\" / bucket \"{_options.Bucket}\" ({server}). Fix Influx:Org and Influx:Bucket or create the bucket."),
            HttpStatusCode.NotFound => new InfluxConfigurationException(
                "Influx:Url",
                $"{SafeEndpoint} answered 404 ({server}); Influx:Url does not point at an InfluxDB {(v1 ? "1.x" : "2.x")} HTTP API. Check the host, port and path, and Influx:ApiVersion."),
            _ => new InfluxConfigurationException(
                "Influx:Url",
                $"InfluxDB at {SafeEndpoint} refused an empty test write ({(int?)outcome.StatusCode} {server}). Check Influx:Url and Influx:ApiVersion."),
        };
    }

    private static PooledByteBuffer Gzip(ReadOnlySpan<byte> body)
    {
        var buffer = new PooledByteBuffer(Math.Max(body.Length / 4, 4096));
        using (var stream = new BufferWriterStream(buffer))
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return buffer;
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

    private static string ExtractMessage(string text, HttpResponseMessage response)
    {
        if (!string.IsNullOrWhiteSpace(text) && text.TrimStart().StartsWith('{'))
        {
            try
            {
                InfluxErrorBody? body = JsonSerializer.Deserialize(text, InfluxJsonContext.Default.InfluxErrorBody);
                string? message = body?.Error ?? body?.Message;
                if (!string.IsNullOrEmpty(message))
                {
                    return message;
                }
            }
            catch (JsonException)
            {
                // Not the JSON we know: fall through and report the raw text.
            }
        }

        if (response.Headers.TryGetValues("X-Influxdb-Error", out IEnumerable<string>? values))
        {
            return string.Join("; ", values);
        }

        return string.IsNullOrWhiteSpace(text) ? response.ReasonPhrase ?? "" : text.Trim();
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static (Uri Uri, AuthenticationHeaderValue? Authorization) BuildEndpoint(InfluxDBClientOptions options)
    {
        string baseUrl = options.Url.TrimEnd('/');
        var query = new StringBuilder();
        AuthenticationHeaderValue? authorization = null;
        if (options.ApiVersion == InfluxApiVersion.V1)
        {
            query.Append("/write?db=").Append(Uri.EscapeDataString(options.Database!));
            if (!string.IsNullOrEmpty(options.RetentionPolicy))
            {
                query.Append("&rp=").Append(Uri.EscapeDataString(options.RetentionPolicy));
            }

            if (!string.IsNullOrEmpty(options.Username))
            {
                if (options.AuthMethod == InfluxV1AuthMethod.QueryParameters)
                {
                    query.Append("&u=").Append(Uri.EscapeDataString(options.Username)).Append("&p=").Append(Uri.EscapeDataString(options.Password ?? ""));
                }
                else
                {
                    string pair = options.Username + ":" + (options.Password ?? "");
                    authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
                }
            }
        }
        else
        {
            query.Append("/api/v2/write?org=").Append(Uri.EscapeDataString(options.Org!))
                .Append("&bucket=").Append(Uri.EscapeDataString(options.Bucket!));
            if (!string.IsNullOrEmpty(options.Token))
            {
                authorization = new AuthenticationHeaderValue("Token", options.Token);
            }
        }

        query.Append("&precision=").Append(options.ApiVersion == InfluxApiVersion.V1 ? options.Precision.ToV1QueryValue() : options.Precision.ToQueryValue());
        return (new Uri(baseUrl + query.ToString(), UriKind.Absolute), authorization);
    }

    private static string BuildSafeEndpoint(InfluxDBClientOptions options)
    {
        string baseUrl = options.Url.TrimEnd('/');
        return options.ApiVersion == InfluxApiVersion.V1
            ? string.Create(CultureInfo.InvariantCulture, $"{baseUrl}/write?db={options.Database}{(string.IsNullOrEmpty(options.RetentionPolicy) ? "" : "&rp=" + options.RetentionPolicy)}&precision={options.Precision.ToV1QueryValue()}")
            : string.Create(CultureInfo.InvariantCulture, $"{baseUrl}/api/v2/write?org={options.Org}&bucket={options.Bucket}&precision={options.Precision.ToQueryValue()}");
    }
}
