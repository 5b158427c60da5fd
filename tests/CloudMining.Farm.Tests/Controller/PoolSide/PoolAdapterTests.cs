using System.Net;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.PoolApi;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.PoolSide;

/// <summary>Each pool adapter against the simulator's pool API: the figures, the rate limits, a refused key.</summary>
public sealed class PoolAdapterTests
{
    private static readonly TimeSpan Mined = TimeSpan.FromHours(3);

    [Fact]
    public async Task Braiins_worker_hashrate_and_shares_equal_the_simulated_pool_ledger()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(Mined);

        PoolWorkerReading reading = await f.Braiins.ReadAsync(f.Watch(PoolApiKind.Braiins, "alice.rig1", PoolSideFarm.BraiinsToken), CancellationToken.None);

        PoolWindow ledger = f.Ledger("alice.rig1", TimeSpan.FromMinutes(5));
        Assert.True(ledger.HashesPerSecond > 10e12, $"the simulated S9 should prove >10 TH/s, proved {ledger.HashesPerSecond}");
        Assert.Equal(ledger.HashesPerSecond, reading.HashrateHs, ledger.HashesPerSecond * 1e-12);
        Assert.Equal(Math.Round(ledger.AcceptedShares), reading.Shares);
        Assert.Equal(TimeSpan.FromMinutes(5), reading.Window);
    }

    [Fact]
    public async Task F2Pool_worker_list_and_hourly_history_equal_the_simulated_pool_ledger()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(Mined);
        PoolWatch watch = f.Watch(PoolApiKind.F2Pool, "bob.rig2", PoolSideFarm.F2PoolSecret);

        PoolWorkerReading reading = await f.F2Pool.ReadAsync(watch, CancellationToken.None);
        PoolWindow hour = f.Ledger("bob.rig2", TimeSpan.FromHours(1));
        Assert.True(hour.HashesPerSecond > 10e12);
        Assert.Equal(hour.HashesPerSecond, reading.HashrateHs, hour.HashesPerSecond * 1e-12);

        f.Clock.Advance(F2PoolAdapter.PublishedInterval);
        IReadOnlyList<PoolHourFigure> history = await f.F2Pool.ReadHourlyAsync(watch, 3, CancellationToken.None);
        Assert.Equal(3, history.Count);
        foreach (PoolHourFigure h in history)
        {
            PoolWindow expected = f.Farm.Pools.Window("bob.rig2", h.Hour, h.Hour.AddHours(1));
            Assert.Equal(expected.HashesPerSecond, h.HashrateHs, Math.Max(1, expected.HashesPerSecond * 1e-12));
        }

        // The first hour includes the 30 s boot, the others were mined in full.
        Assert.True(history[^1].HashrateHs > 10e12);
    }

    [Fact]
    public async Task Hashrate_only_pool_gives_the_ten_minute_figure_of_the_simulated_ledger()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(Mined);

        PoolWorkerReading reading = await f.HashrateOnly.ReadAsync(f.Watch(PoolApiKind.HashrateOnly, "alice.rig1", PoolSideFarm.HashrateOnlyKey), CancellationToken.None);

        PoolWindow ledger = f.Ledger("alice.rig1", TimeSpan.FromMinutes(10));
        Assert.Equal(ledger.HashesPerSecond, reading.HashrateHs, ledger.HashesPerSecond * 1e-12);
        Assert.Null(reading.Shares);
    }

    [Fact]
    public async Task Adapters_send_no_request_sooner_than_the_pool_allows()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(Mined);
        PoolWatch braiins = f.Watch(PoolApiKind.Braiins, "alice.rig1", PoolSideFarm.BraiinsToken);
        PoolWatch f2pool = f.Watch(PoolApiKind.F2Pool, "bob.rig2", PoolSideFarm.F2PoolSecret);

        await f.Braiins.ReadAsync(braiins, CancellationToken.None);
        await f.F2Pool.ReadAsync(f2pool, CancellationToken.None);
        f.Clock.Advance(TimeSpan.FromSeconds(4.9));
        PoolRateLimitedException early = await Assert.ThrowsAsync<PoolRateLimitedException>(() => f.Braiins.ReadAsync(braiins, CancellationToken.None));
        Assert.Equal(f.Now.AddSeconds(0.1), early.RetryAt);
        await f.F2Pool.ReadAsync(f2pool, CancellationToken.None);

        // Nothing was sent early: the pools served every request and throttled none.
        Assert.Equal(1, f.Api.Served(PoolApiStyle.Braiins));
        Assert.Equal(2, f.Api.Served(PoolApiStyle.F2Pool));
        Assert.Equal(0, f.Api.Throttled(PoolApiStyle.Braiins) + f.Api.Throttled(PoolApiStyle.F2Pool));

        f.Clock.Advance(TimeSpan.FromSeconds(0.1));
        await f.Braiins.ReadAsync(braiins, CancellationToken.None);
        Assert.Equal(2, f.Api.Served(PoolApiStyle.Braiins));
    }

    [Fact]
    public async Task Simulated_pools_throttle_a_client_that_ignores_their_published_limit()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(Mined);
        var uri = new Uri(f.Api.Url, "accounts/workers/json/btc/");

        HttpResponseMessage first = await Get(f, uri);
        f.Clock.Advance(BraiinsPoolAdapter.PublishedInterval - TimeSpan.FromMilliseconds(1));
        HttpResponseMessage second = await Get(f, uri);
        f.Clock.Advance(TimeSpan.FromMilliseconds(1));
        HttpResponseMessage third = await Get(f, uri);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.True(PoolApiLimits.Braiins >= BraiinsPoolAdapter.PublishedInterval);
        Assert.True(PoolApiLimits.F2Pool >= F2PoolAdapter.PublishedInterval);
    }

    [Theory]
    [InlineData(PoolApiKind.Braiins, "alice.rig1")]
    [InlineData(PoolApiKind.F2Pool, "bob.rig2")]
    [InlineData(PoolApiKind.HashrateOnly, "alice.rig1")]
    public async Task A_key_the_pool_refuses_is_a_clear_error_and_the_key_is_nowhere(PoolApiKind kind, string worker)
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(Mined);
        const string WrongKey = "wrong-KEY-7f3a9e21c4";
        IPoolSideAdapter adapter = kind switch
        {
            PoolApiKind.Braiins => f.Braiins,
            PoolApiKind.F2Pool => f.F2Pool,
            _ => f.HashrateOnly,
        };
        PoolWatch watch = f.Watch(kind, worker, WrongKey);

        PoolKeyRefusedException refused = await Assert.ThrowsAsync<PoolKeyRefusedException>(() => adapter.ReadAsync(watch, CancellationToken.None));

        Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
        Assert.Contains(f.Api.Url.AbsoluteUri, refused.Message, StringComparison.Ordinal);
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, watch.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(f.Logs.Records);
        Assert.All(f.Logs.Records, r =>
        {
            Assert.DoesNotContain(WrongKey, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(r.Properties.Values, v => v?.ToString()?.Contains(WrongKey, StringComparison.Ordinal) == true);
        });
    }

    private static async Task<HttpResponseMessage> Get(PoolSideFarm f, Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Add("Pool-Auth-Token", PoolSideFarm.BraiinsToken);
        return await f.Http.SendAsync(request);
    }
}
