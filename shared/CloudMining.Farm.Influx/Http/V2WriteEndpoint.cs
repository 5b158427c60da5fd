using System.Globalization;
using System.Net;
using System.Text;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.LineProtocol;
using InfluxDB.Client.Core.Exceptions;
using PackageClient = InfluxDB.Client.InfluxDBClient;
using PackageOptions = InfluxDB.Client.InfluxDBClientOptions;

namespace CloudMining.Farm.Influx.Http;

/// <summary>
/// <c>/api/v2/write</c> through InfluxDB.Client's <c>WriteApiAsync</c>: InfluxDB 1.8+, 2.x, 3.x and VictoriaMetrics.
/// The package sends the request (token header, gzip, precision); its exceptions become our <see cref="WriteOutcome"/>
/// so retry, spill and replay stay the same for both endpoints.
/// </summary>
public sealed class V2WriteEndpoint : WriteEndpoint
{
    private readonly PackageClient _client;
    private readonly InfluxDB.Client.WriteApiAsync _writeApi;

    public V2WriteEndpoint(InfluxDBClientOptions options, HttpClient? httpClient = null)
        : base(options)
    {
        var package = new PackageOptions(options.Url)
        {
            Token = string.IsNullOrEmpty(options.Token) ? null : options.Token,
            Org = options.Org,
            Bucket = options.Bucket,
            Timeout = options.Timeout,
            HttpClient = httpClient,
        };
        _client = new PackageClient(package);
        if (options.EnableGzip)
        {
            _client.EnableGzip();
        }

        _writeApi = _client.GetWriteApiAsync();
        SafeEndpoint = string.Create(CultureInfo.InvariantCulture, $"{options.Url.TrimEnd('/')}/api/v2/write?org={options.Org}&bucket={options.Bucket}&precision={options.Precision.ToQueryValue()}");
    }

    public override string SafeEndpoint { get; }

    public override async Task<WriteOutcome> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        // The package takes records as text; one record holding the whole batch keeps it one request.
        string records = Encoding.UTF8.GetString(body.Span).TrimEnd('\n');
        try
        {
            RestSharp.RestResponse response = await _writeApi.WriteRecordsAsyncWithIRestResponse([records], Options.Precision, Options.Bucket, Options.Org, cancellationToken);
            return response.IsSuccessStatusCode || response.StatusCode == 0 && response.ErrorException is null
                ? WriteOutcome.Accepted(response.StatusCode)
                : Answer(response.StatusCode, response.Content ?? response.StatusDescription ?? "", null, body.Span, response.ErrorException, cancellationToken);
        }
        catch (HttpException ex)
        {
            return Answer((HttpStatusCode)ex.Status, ex.Message, ex.RetryAfter, body.Span, ex, cancellationToken);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer from {SafeEndpoint} within Influx:Timeout ({Options.Timeout}).", ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _client.Dispose();
        }

        base.Dispose(disposing);
    }

    private WriteOutcome Answer(HttpStatusCode status, string message, int? retryAfterSeconds, ReadOnlySpan<byte> body, Exception? failure, CancellationToken cancellationToken)
    {
        if (status != 0)
        {
            return Refusal(status, message, retryAfterSeconds is int s ? TimeSpan.FromSeconds(s) : null, body);
        }

        // Status 0: no HTTP answer at all. Same exceptions as the v1 path, so the retry policy treats both alike.
        for (Exception? inner = failure; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No answer from {SafeEndpoint} within Influx:Timeout ({Options.Timeout}).", failure);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new HttpRequestException(failure?.InnerException?.Message ?? failure?.Message ?? message, failure);
    }
}
