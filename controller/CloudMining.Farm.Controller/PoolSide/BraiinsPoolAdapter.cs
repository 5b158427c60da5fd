using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// Braiins Pool's workers API (help.braiins.com "API configuration guide"): GET {api}/accounts/workers/json/btc/ with
/// the access profile's token in the Pool-Auth-Token header; the reply lists the account's workers by full name with
/// hash_rate_5m/60m/24h in hash_rate_unit and shares_5m/60m/24h. About one request per five seconds is allowed.
/// The reading is the worker's 5-minute hashrate (the shortest the API gives) with its share count.
/// </summary>
public sealed class BraiinsPoolAdapter(HttpClient http, PoolRequestPacer pacer, TimeProvider time, ILogger<BraiinsPoolAdapter> logger)
    : PoolAdapterBase(http, pacer, time, logger)
{
    /// <summary>Braiins documents "approximately one request per five seconds (safe value)".</summary>
    public static readonly TimeSpan PublishedInterval = TimeSpan.FromSeconds(5);

    public override PoolApiKind Kind => PoolApiKind.Braiins;

    public override TimeSpan MinimumInterval => PublishedInterval;

    public override async Task<PoolWorkerReading> ReadAsync(PoolWatch watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(watch.ApiUrl, "accounts/workers/json/btc/"));
        request.Headers.TryAddWithoutValidation("Pool-Auth-Token", watch.Key.Reveal());
        request.Headers.Accept.ParseAdd("application/json");
        (HttpStatusCode _, string body) = await SendAsync(watch, request, cancellationToken);

        // Older Braiins front ends answered a bad token with 200 and this text instead of 401.
        if (body.Contains("Invalid Access Profile token", StringComparison.OrdinalIgnoreCase))
        {
            throw new PoolKeyRefusedException($"Braiins API at {watch.ApiUrl} refused the read-only key of worker '{watch.Worker}' (\"Invalid Access Profile token\"); ask the customer for a new access profile token with web API access and set it on the contract.");
        }

        using JsonDocument doc = Parse(watch, body);
        if (!doc.RootElement.TryGetProperty("btc", out JsonElement btc) || !btc.TryGetProperty("workers", out JsonElement workers) || workers.ValueKind != JsonValueKind.Object)
        {
            throw new PoolApiException($"Braiins API at {watch.ApiUrl} answered without btc.workers ({Shorten(body)}); check the API address.");
        }

        if (!workers.TryGetProperty(watch.Worker, out JsonElement worker))
        {
            throw new PoolApiException($"Braiins account '{watch.Account}' has no worker '{watch.Worker}' (it lists {workers.EnumerateObject().Count()}); check the contract's pool worker name, or the key belongs to another account.");
        }

        string unit = worker.TryGetProperty("hash_rate_unit", out JsonElement u) ? u.GetString() ?? "Gh/s" : "Gh/s";
        double factor = UnitFactor(unit) ?? throw new PoolApiException($"Braiins API at {watch.ApiUrl} gave hashrates in '{unit}', which is not a hashrate unit this controller knows (H/s … Eh/s).");
        double rate = Number(worker, "hash_rate_5m") * factor;
        double? shares = worker.TryGetProperty("shares_5m", out JsonElement s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
        return new PoolWorkerReading(watch.Worker, rate, TimeSpan.FromMinutes(5), shares, Time.GetUtcNow());
    }

    /// <summary>H/s per unit of a Braiins hash_rate_unit such as "Gh/s"; null when unknown.</summary>
    public static double? UnitFactor(string unit) => unit.Trim().ToUpperInvariant() switch
    {
        "H/S" => 1,
        "KH/S" => 1e3,
        "MH/S" => 1e6,
        "GH/S" => 1e9,
        "TH/S" => 1e12,
        "PH/S" => 1e15,
        "EH/S" => 1e18,
        _ => null,
    };

    private static double Number(JsonElement worker, string name) =>
        worker.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) ? d
        : 0;
}
