using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// What every pool adapter shares: pacing per key (<see cref="PoolRequestPacer"/>), sending with the key in a header,
/// and turning transport failures, 401/403 and 429 into the typed errors — each message names the pool and the API
/// address and says what to do, and none contains the key.
/// </summary>
public abstract partial class PoolAdapterBase : IPoolSideAdapter
{
    private readonly HttpClient _http;
    private readonly PoolRequestPacer _pacer;
    private readonly ILogger _logger;

    protected PoolAdapterBase(HttpClient http, PoolRequestPacer pacer, TimeProvider time, ILogger logger)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _pacer = pacer ?? throw new ArgumentNullException(nameof(pacer));
        Time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public abstract PoolApiKind Kind { get; }

    public abstract TimeSpan MinimumInterval { get; }

    protected TimeProvider Time { get; }

    public abstract Task<PoolWorkerReading> ReadAsync(PoolWatch watch, CancellationToken cancellationToken);

    /// <summary>Sends one paced request; returns the status and body of any answer that is not a refusal or a throttle.</summary>
    protected async Task<(HttpStatusCode Status, string Body)> SendAsync(PoolWatch watch, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(request);
        _pacer.Reserve(watch, MinimumInterval);
        HttpStatusCode status;
        string body;
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken);
            status = response.StatusCode;
            body = watch.Key.Scrub(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new PoolApiException($"{Kind} API at {watch.ApiUrl} did not answer ({e.GetType().Name}: {watch.Key.Scrub(e.Message)}); check the contract's pool API address and the network.", e);
        }

        LogAnswered(_logger, Kind, watch.ApiUrl, watch.Worker, (int)status);
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new PoolKeyRefusedException($"{Kind} API at {watch.ApiUrl} refused the read-only key of worker '{watch.Worker}' (HTTP {(int)status}: {Shorten(body)}); ask the customer for a new read-only key and set it on the contract.");
        }

        if (status == HttpStatusCode.TooManyRequests)
        {
            throw new PoolRateLimitedException($"{Kind} API at {watch.ApiUrl} answered 429 Too Many Requests for worker '{watch.Worker}'; the controller will read it again after {MinimumInterval.TotalSeconds:0.#} s.");
        }

        if ((int)status >= 400)
        {
            throw new PoolApiException($"{Kind} API at {watch.ApiUrl} answered HTTP {(int)status} for worker '{watch.Worker}' ({Shorten(body)}); check the API address.");
        }

        return (status, body);
    }

    /// <summary>Parses a JSON answer, or throws naming the pool and what came instead.</summary>
    protected JsonDocument Parse(PoolWatch watch, string body)
    {
        ArgumentNullException.ThrowIfNull(watch);
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new PoolApiException($"{Kind} API at {watch.ApiUrl} answered something that is not JSON ({Shorten(body)}); check that the API address points at the pool's API.", e);
        }
    }

    protected static string Shorten(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= 120 ? oneLine : oneLine[..120] + "…";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind} API at {ApiUrl} answered HTTP {Status} for worker {Worker}")]
    private static partial void LogAnswered(ILogger logger, PoolApiKind kind, Uri apiUrl, string worker, int status);
}
