using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// F2Pool's API v2 (api.f2pool.com/v2/doc/en.html): POST JSON with the API secret in the F2P-API-SECRET header.
/// hash_rate/worker/list gives each worker's hash_rate_info (hash_rate, h1_hash_rate, h24_hash_rate and the stale parts,
/// H/s); hash_rate/worker/history gives a worker's hashrate per interval. Errors come as {"code","msg"}; code 5010
/// ("permission denied") is a key that may not read the account. The reading is the worker's last-hour hashrate.
/// </summary>
public sealed class F2PoolAdapter(HttpClient http, PoolRequestPacer pacer, TimeProvider time, ILogger<F2PoolAdapter> logger)
    : PoolAdapterBase(http, pacer, time, logger)
{
    /// <summary>The v2 documentation names no figure; one request per second per secret, as public F2Pool clients space them.</summary>
    public static readonly TimeSpan PublishedInterval = TimeSpan.FromSeconds(1);

    private const int PermissionDenied = 5010;

    public override PoolApiKind Kind => PoolApiKind.F2Pool;

    public override TimeSpan MinimumInterval => PublishedInterval;

    public override async Task<PoolWorkerReading> ReadAsync(PoolWatch watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        string body = await PostAsync(watch, "v2/hash_rate/worker/list", $$"""{"currency":"bitcoin","mining_user_name":{{JsonSerializer.Serialize(watch.Account, PoolSideJsonContext.Default.String)}}}""", cancellationToken);
        using JsonDocument doc = Parse(watch, body);
        if (!doc.RootElement.TryGetProperty("workers", out JsonElement workers) || workers.ValueKind != JsonValueKind.Array)
        {
            throw new PoolApiException($"F2Pool API at {watch.ApiUrl} answered without a workers list ({Shorten(body)}); check the API address.");
        }

        foreach (JsonElement w in workers.EnumerateArray())
        {
            if (w.TryGetProperty("hash_rate_info", out JsonElement info) && info.TryGetProperty("name", out JsonElement name)
                && string.Equals(name.GetString(), watch.WorkerPart, StringComparison.Ordinal))
            {
                return new PoolWorkerReading(watch.Worker, Number(info, "h1_hash_rate"), TimeSpan.FromHours(1), null, Time.GetUtcNow());
            }
        }

        throw new PoolApiException($"F2Pool account '{watch.Account}' has no worker '{watch.WorkerPart}' (it lists {workers.GetArrayLength()}); check the contract's pool worker name.");
    }

    /// <summary>The worker's hashrate per hour over the last <paramref name="hours"/> complete hours, oldest first.</summary>
    public async Task<IReadOnlyList<PoolHourFigure>> ReadHourlyAsync(PoolWatch watch, int hours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentOutOfRangeException.ThrowIfLessThan(hours, 1);
        string json = string.Create(CultureInfo.InvariantCulture, $$"""{"currency":"bitcoin","mining_user_name":{{JsonSerializer.Serialize(watch.Account, PoolSideJsonContext.Default.String)}},"worker_name":{{JsonSerializer.Serialize(watch.WorkerPart, PoolSideJsonContext.Default.String)}},"interval":3600,"duration":{{hours * 3600}}}""");
        string body = await PostAsync(watch, "v2/hash_rate/worker/history", json, cancellationToken);
        using JsonDocument doc = Parse(watch, body);
        if (!doc.RootElement.TryGetProperty("hash_rate_list", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new PoolApiException($"F2Pool API at {watch.ApiUrl} answered without hash_rate_list ({Shorten(body)}); check the API address.");
        }

        return [.. list.EnumerateArray()
            .Select(p => new PoolHourFigure(DateTimeOffset.FromUnixTimeSeconds((long)Number(p, "timestamp")), Number(p, "hash_rate"), Number(p, "stale_hash_rate")))
            .OrderBy(p => p.Hour)];
    }

    private async Task<string> PostAsync(PoolWatch watch, string path, string json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(watch.ApiUrl, path))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("F2P-API-SECRET", watch.Key.Reveal());
        (HttpStatusCode _, string body) = await SendAsync(watch, request, cancellationToken);
        using JsonDocument doc = Parse(watch, body);
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out JsonElement code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 0)
        {
            string msg = doc.RootElement.TryGetProperty("msg", out JsonElement m) ? m.GetString() ?? string.Empty : string.Empty;
            if (code.GetInt32() == PermissionDenied || msg.StartsWith("permission denied", StringComparison.OrdinalIgnoreCase) || msg.StartsWith("auth", StringComparison.OrdinalIgnoreCase))
            {
                throw new PoolKeyRefusedException($"F2Pool API at {watch.ApiUrl} refused the API secret for mining user '{watch.Account}' (code {code.GetInt32()}: {Shorten(msg)}); ask the customer for the secret of a read-only page with hashrate permission and set it on the contract.");
            }

            throw new PoolApiException($"F2Pool API at {watch.ApiUrl} answered code {code.GetInt32()} for mining user '{watch.Account}' ({Shorten(msg)}).");
        }

        return body;
    }

    private static double Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
}
