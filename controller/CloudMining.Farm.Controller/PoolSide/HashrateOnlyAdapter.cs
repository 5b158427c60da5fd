using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// A pool that only tells one number: GET {api}/hashrate/{worker} with "Authorization: Bearer KEY", answering the
/// worker's hashrate in H/s as a bare JSON number or as {"hashrate": n}. No shares, no history; read at most once per
/// <see cref="PublishedInterval"/>.
/// </summary>
public sealed class HashrateOnlyAdapter(HttpClient http, PoolRequestPacer pacer, TimeProvider time, ILogger<HashrateOnlyAdapter> logger)
    : PoolAdapterBase(http, pacer, time, logger)
{
    /// <summary>Such pools publish no limit we can rely on; five seconds, the strictest of the pools we know.</summary>
    public static readonly TimeSpan PublishedInterval = TimeSpan.FromSeconds(5);

    public override PoolApiKind Kind => PoolApiKind.HashrateOnly;

    public override TimeSpan MinimumInterval => PublishedInterval;

    public override async Task<PoolWorkerReading> ReadAsync(PoolWatch watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(watch.ApiUrl, "hashrate/" + Uri.EscapeDataString(watch.Worker)));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + watch.Key.Reveal());
        (HttpStatusCode status, string body) = await SendAsync(watch, request, cancellationToken);
        using JsonDocument doc = Parse(watch, body);
        JsonElement root = doc.RootElement;
        JsonElement number = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("hashrate", out JsonElement h) ? h : root;
        if (number.ValueKind != JsonValueKind.Number || !double.IsFinite(number.GetDouble()) || number.GetDouble() < 0)
        {
            throw new PoolApiException($"Pool API at {watch.ApiUrl} answered HTTP {(int)status} without a hashrate number for worker '{watch.Worker}' ({Shorten(body)}).");
        }

        return new PoolWorkerReading(watch.Worker, number.GetDouble(), TimeSpan.FromMinutes(10), null, Time.GetUtcNow());
    }
}
