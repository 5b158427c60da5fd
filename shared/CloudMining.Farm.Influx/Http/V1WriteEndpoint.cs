using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.LineProtocol;

namespace CloudMining.Farm.Influx.Http;

/// <summary>
/// InfluxDB 1.x <c>POST /write?db=&amp;rp=&amp;precision=</c>: what Debian's influxd (1.6, which has no
/// <c>/api/v2/write</c>) speaks. The body is the line protocol InfluxDB.Client's <c>PointData</c> wrote; only the
/// request is ours.
/// </summary>
public sealed class V1WriteEndpoint : WriteEndpoint
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly Uri _writeUri;
    private readonly AuthenticationHeaderValue? _authorization;

    public V1WriteEndpoint(InfluxDBClientOptions options, HttpClient? httpClient = null)
        : base(options)
    {
        _ownsHttpClient = httpClient is null;
        // Timeouts are per request below; the client-wide one must not cut them short.
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        (_writeUri, _authorization) = BuildEndpoint(options);
        string baseUrl = options.Url.TrimEnd('/');
        SafeEndpoint = string.Create(CultureInfo.InvariantCulture, $"{baseUrl}/write?db={options.Database}{(string.IsNullOrEmpty(options.RetentionPolicy) ? "" : "&rp=" + options.RetentionPolicy)}&precision={options.Precision.ToV1QueryValue()}");
    }

    public override string SafeEndpoint { get; }

    public override async Task<WriteOutcome> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _writeUri);
        request.Headers.Authorization = _authorization;
        request.Content = Options.EnableGzip && !body.IsEmpty ? new ByteArrayContent(Gzip(body.Span)) : new ReadOnlyMemoryContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (Options.EnableGzip && !body.IsEmpty)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer from {SafeEndpoint} within Influx:Timeout ({Options.Timeout}).", ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return WriteOutcome.Accepted(response.StatusCode);
            }

            string text = await response.Content.ReadAsStringAsync(cancellationToken);
            return Refusal(response.StatusCode, ExtractMessage(text, response), RetryAfter(response), body.Span);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsHttpClient)
        {
            _http.Dispose();
        }

        base.Dispose(disposing);
    }

    private static byte[] Gzip(ReadOnlySpan<byte> body)
    {
        using var buffer = new MemoryStream(Math.Max(body.Length / 4, 4096));
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
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
        var query = new StringBuilder(options.Url.TrimEnd('/'));
        AuthenticationHeaderValue? authorization = null;
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

        query.Append("&precision=").Append(options.Precision.ToV1QueryValue());
        return (new Uri(query.ToString(), UriKind.Absolute), authorization);
    }
}
