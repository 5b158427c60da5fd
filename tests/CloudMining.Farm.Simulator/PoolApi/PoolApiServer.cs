using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CloudMining.Farm.Simulator.Mining;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Simulator.PoolApi;

/// <summary>
/// The simulated pools' web APIs on loopback, answered from the farm's pool ledger: Braiins Pool's workers API,
/// F2Pool's v2 worker list and history, and a pool that gives one hashrate number. Keys are read-only access keys of
/// one account each; a wrong key is refused with the real API's status and message, and requests faster than the real
/// pool allows are refused with 429 (docs/pool-apis.md).
/// </summary>
public sealed class PoolApiServer : IAsyncDisposable
{
    private const double GigaHashes = 1e9;
    private readonly WebApplication _app;
    private readonly SimulatedFarm _farm;
    private readonly TimeProvider _wire;
    private readonly ConcurrentDictionary<string, PoolApiAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(PoolApiStyle, string), DateTimeOffset> _lastServed = new();
    private readonly ConcurrentDictionary<PoolApiStyle, int> _served = new();
    private readonly ConcurrentDictionary<PoolApiStyle, int> _throttled = new();
    private readonly Lock _rateGate = new();

    private PoolApiServer(WebApplication app, SimulatedFarm farm, TimeProvider wire)
    {
        _app = app;
        _farm = farm;
        _wire = wire;
    }

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts the APIs on <paramref name="endPoint"/>; <paramref name="wire"/> paces requests (default the farm's wire clock).</summary>
    public static async Task<PoolApiServer> StartAsync(SimulatedFarm farm, IPEndPoint endPoint, IEnumerable<PoolApiAccount> accounts, TimeProvider? wire = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(farm);
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(accounts);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(endPoint));
        WebApplication app = builder.Build();
        var server = new PoolApiServer(app, farm, wire ?? farm.Clocks.Wire);
        foreach (PoolApiAccount account in accounts)
        {
            server.AddAccount(account);
        }

        server.Map(app);
        await app.StartAsync(cancellationToken);
        server.Url = new Uri(app.Urls.FirstOrDefault() ?? $"http://{endPoint}");
        return server;
    }

    /// <summary>Issues another read-only key (a customer creating an access profile or watcher link).</summary>
    public void AddAccount(PoolApiAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        _accounts[account.Key] = account;
    }

    /// <summary>Requests answered with data, per API.</summary>
    public int Served(PoolApiStyle style) => _served.GetValueOrDefault(style);

    /// <summary>Requests refused for coming faster than the API allows, per API.</summary>
    public int Throttled(PoolApiStyle style) => _throttled.GetValueOrDefault(style);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(IEndpointRouteBuilder app)
    {
        // Routing ignores a trailing slash: this answers /accounts/workers/json/btc and …/btc/ alike.
        app.MapGet("/accounts/workers/json/btc", BraiinsWorkersAsync);
        app.MapPost("/v2/hash_rate/worker/list", F2PoolWorkerListAsync);
        app.MapPost("/v2/hash_rate/worker/history", F2PoolWorkerHistoryAsync);
        app.MapGet("/hashrate/{worker}", HashrateOnlyAsync);
    }

    private async Task BraiinsWorkersAsync(HttpContext http)
    {
        // Braiins reads the access profile token from Pool-Auth-Token (older clients: SlushPool-Auth-Token, X-SlushPool-Auth-Token).
        string? token = Header(http, "Pool-Auth-Token") ?? Header(http, "SlushPool-Auth-Token") ?? Header(http, "X-SlushPool-Auth-Token");
        if (token is null || !_accounts.TryGetValue(token, out PoolApiAccount? account) || account.Style != PoolApiStyle.Braiins)
        {
            await TextAsync(http, StatusCodes.Status401Unauthorized, "Invalid Access Profile token");
            return;
        }

        if (!Admit(PoolApiStyle.Braiins, token))
        {
            await TextAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests");
            return;
        }

        DateTimeOffset now = Advance();
        var workers = new Dictionary<string, BraiinsWorker>(StringComparer.Ordinal);
        foreach (string user in WorkersOf(account))
        {
            PoolWindow m5 = _farm.Pools.Window(user, now.AddMinutes(-5), now, account.StratumUrls);
            PoolWindow m60 = _farm.Pools.Window(user, now.AddMinutes(-60), now, account.StratumUrls);
            PoolWindow h24 = _farm.Pools.Window(user, now.AddHours(-24), now, account.StratumUrls);
            workers[user] = new BraiinsWorker(
                m5.AcceptedDifficulty > 0 ? "ok" : "off",
                m60.LastShareAt?.ToUnixTimeSeconds() ?? h24.LastShareAt?.ToUnixTimeSeconds(),
                "Gh/s",
                m60.HashesPerSecond / GigaHashes,
                m5.HashesPerSecond / GigaHashes,
                m60.HashesPerSecond / GigaHashes,
                h24.HashesPerSecond / GigaHashes,
                (long)Math.Round(m5.AcceptedShares),
                (long)Math.Round(m60.AcceptedShares),
                (long)Math.Round(h24.AcceptedShares));
        }

        await JsonAsync(http, StatusCodes.Status200OK, new BraiinsWorkersReply(new BraiinsWorkersCoin(workers)), PoolApiJsonContext.Default.BraiinsWorkersReply);
    }

    private async Task F2PoolWorkerListAsync(HttpContext http)
    {
        if (await F2PoolAdmitAsync(http) is not (PoolApiAccount account, F2PoolRequest _))
        {
            return;
        }

        DateTimeOffset now = Advance();
        var workers = new List<F2PoolWorker>();
        foreach (string user in WorkersOf(account))
        {
            PoolWindow current = _farm.Pools.Window(user, now.AddMinutes(-15), now, account.StratumUrls);
            PoolWindow h1 = _farm.Pools.Window(user, now.AddHours(-1), now, account.StratumUrls);
            PoolWindow h24 = _farm.Pools.Window(user, now.AddHours(-24), now, account.StratumUrls);
            workers.Add(new F2PoolWorker(
                new F2PoolHashRateInfo(WorkerPart(user), current.HashesPerSecond, h1.HashesPerSecond, h24.HashesPerSecond, h1.StaleHashesPerSecond, h24.StaleHashesPerSecond, 0, 0, 0),
                h24.LastShareAt?.ToUnixTimeSeconds() ?? 0,
                current.AcceptedDifficulty > 0 ? 0 : 1,
                string.Empty));
        }

        await JsonAsync(http, StatusCodes.Status200OK, new F2PoolWorkerListReply(workers), PoolApiJsonContext.Default.F2PoolWorkerListReply);
    }

    private async Task F2PoolWorkerHistoryAsync(HttpContext http)
    {
        if (await F2PoolAdmitAsync(http) is not (PoolApiAccount account, F2PoolRequest request))
        {
            return;
        }

        if (request.Interval is not (600 or 3600 or 86400))
        {
            await JsonAsync(http, StatusCodes.Status200OK, new F2PoolError(5001, $"params error: interval={request.Interval}"), PoolApiJsonContext.Default.F2PoolError);
            return;
        }

        string user = $"{account.Username}.{request.WorkerName}";
        if (string.IsNullOrEmpty(request.WorkerName) || !WorkersOf(account).Contains(user, StringComparer.Ordinal))
        {
            await JsonAsync(http, StatusCodes.Status200OK, new F2PoolError(5001, $"params error: worker_name=\"{request.WorkerName}\""), PoolApiJsonContext.Default.F2PoolError);
            return;
        }

        DateTimeOffset now = Advance();
        long interval = request.Interval.Value;
        long duration = Math.Clamp(request.Duration ?? 86400, interval, 3 * 86400);

        // Complete intervals only, oldest first, each stamped with its start.
        long end = now.ToUnixTimeSeconds() / interval * interval;
        var points = new List<F2PoolHistoryPoint>();
        for (long start = end - duration; start < end; start += interval)
        {
            PoolWindow w = _farm.Pools.Window(user, DateTimeOffset.FromUnixTimeSeconds(start), DateTimeOffset.FromUnixTimeSeconds(start + interval), account.StratumUrls);
            points.Add(new F2PoolHistoryPoint(start, w.HashesPerSecond, w.StaleHashesPerSecond, 0, 0));
        }

        await JsonAsync(http, StatusCodes.Status200OK, new F2PoolHistoryReply(points), PoolApiJsonContext.Default.F2PoolHistoryReply);
    }

    private async Task<(PoolApiAccount, F2PoolRequest)?> F2PoolAdmitAsync(HttpContext http)
    {
        // F2Pool v2 takes only POST with application/json and answers errors as {"code","msg"}.
        F2PoolRequest? request = null;
        if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                request = await JsonSerializer.DeserializeAsync(http.Request.Body, PoolApiJsonContext.Default.F2PoolRequest, http.RequestAborted);
            }
            catch (JsonException)
            {
            }
        }

        if (request is null)
        {
            await JsonAsync(http, StatusCodes.Status200OK, new F2PoolError(5001, "params error: the body must be JSON (Content-Type: application/json)"), PoolApiJsonContext.Default.F2PoolError);
            return null;
        }

        string? secret = Header(http, "F2P-API-SECRET");
        if (secret is null || !_accounts.TryGetValue(secret, out PoolApiAccount? account) || account.Style != PoolApiStyle.F2Pool
            || !string.Equals(request.MiningUserName, account.Username, StringComparison.Ordinal))
        {
            await JsonAsync(http, StatusCodes.Status200OK, new F2PoolError(5010, $"permission denied: permission denied name=\"{request.MiningUserName}\""), PoolApiJsonContext.Default.F2PoolError);
            return null;
        }

        if (!string.Equals(request.Currency, "bitcoin", StringComparison.Ordinal))
        {
            await JsonAsync(http, StatusCodes.Status200OK, new F2PoolError(5001, $"params error: currency=\"{request.Currency}\""), PoolApiJsonContext.Default.F2PoolError);
            return null;
        }

        if (!Admit(PoolApiStyle.F2Pool, secret))
        {
            await JsonAsync(http, StatusCodes.Status429TooManyRequests, new F2PoolError(429, "rate limit: too many requests"), PoolApiJsonContext.Default.F2PoolError);
            return null;
        }

        return (account, request);
    }

    private async Task HashrateOnlyAsync(HttpContext http, string worker)
    {
        string? auth = Header(http, "Authorization");
        string? key = auth is not null && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..].Trim() : null;
        if (key is null || !_accounts.TryGetValue(key, out PoolApiAccount? account) || account.Style != PoolApiStyle.HashrateOnly)
        {
            await TextAsync(http, StatusCodes.Status401Unauthorized, "unauthorized");
            return;
        }

        if (!WorkersOf(account).Contains(worker, StringComparer.Ordinal))
        {
            await TextAsync(http, StatusCodes.Status404NotFound, "unknown worker");
            return;
        }

        if (!Admit(PoolApiStyle.HashrateOnly, key))
        {
            await TextAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests");
            return;
        }

        DateTimeOffset now = Advance();
        PoolWindow w = _farm.Pools.Window(worker, now.AddMinutes(-10), now, account.StratumUrls);
        await JsonAsync(http, StatusCodes.Status200OK, w.HashesPerSecond, PoolApiJsonContext.Default.Double);
    }

    /// <summary>Whether a request on this key may be served now: at most one per the API's limit, refused ones not counting.</summary>
    private bool Admit(PoolApiStyle style, string key)
    {
        DateTimeOffset now = _wire.GetUtcNow();
        lock (_rateGate)
        {
            if (_lastServed.TryGetValue((style, key), out DateTimeOffset last) && now - last < PoolApiLimits.For(style))
            {
                _throttled.AddOrUpdate(style, 1, (_, n) => n + 1);
                return false;
            }

            _lastServed[(style, key)] = now;
            _served.AddOrUpdate(style, 1, (_, n) => n + 1);
            return true;
        }
    }

    /// <summary>Brings every miner's work up to the mining clock, so the pool side is current; returns that instant.</summary>
    private DateTimeOffset Advance()
    {
        _farm.PoolView();
        return _farm.Clocks.Mining.GetUtcNow();
    }

    private IEnumerable<string> WorkersOf(PoolApiAccount account) =>
        _farm.Pools.Users(account.StratumUrls).Where(u => u.StartsWith(account.Username + ".", StringComparison.Ordinal));

    private static string WorkerPart(string user) => user[(user.IndexOf('.', StringComparison.Ordinal) + 1)..];

    private static string? Header(HttpContext http, string name) =>
        http.Request.Headers.TryGetValue(name, out Microsoft.Extensions.Primitives.StringValues v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString() : null;

    private static Task TextAsync(HttpContext http, int status, string text)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(text, http.RequestAborted);
    }

    private static Task JsonAsync<T>(HttpContext http, int status, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, body, type, http.RequestAborted);
    }
}
