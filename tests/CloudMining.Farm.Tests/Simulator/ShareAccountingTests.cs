using System.Text.Json;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class ShareAccountingTests
{
    private const double TwoTo32 = 4294967296.0;

    private static MinerSpec Exact(MinerSpec s) => s with { NoisePercent = 0, RejectRate = 0, StaleRate = 0, ShareDifficulty = 65536 };

    [Fact]
    public async Task Accepted_difficulty_grows_at_hashes_over_two_to_the_32()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, model: "Antminer S19 Pro", customize: (_, s) => Exact(s));
        SimulatedMiner miner = farm.Miners[0];

        clock.Advance(TimeSpan.FromHours(1));

        double hashes = 110e12 * 3600;
        double shares = Math.Floor(hashes / TwoTo32 / 65536);
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "pools"));
        JsonElement pool0 = doc.RootElement.GetProperty("POOLS")[0];
        JsonElement pool1 = doc.RootElement.GetProperty("POOLS")[1];
        Assert.Equal(shares, pool0.GetProperty("Accepted").GetInt64());
        Assert.Equal(shares * 65536, pool0.GetProperty("Difficulty Accepted").GetDouble());
        Assert.Equal(0, pool1.GetProperty("Difficulty Accepted").GetDouble());

        PoolAccountView side = farm.PoolView().Single(p => p.Url == "stratum+tcp://pool.operator.example:3333");
        Assert.Equal(hashes, side.Hashes, hashes * 1e-9);
        Assert.Equal(shares * 65536, side.AcceptedDifficulty);
        Assert.InRange(side.ProvenHashesPerSecond(TimeSpan.FromHours(1)), 110e12 * 0.999, 110e12);
    }

    [Fact]
    public async Task Reject_and_stale_rates_split_the_submitted_shares()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, model: "Antminer S19 Pro",
            customize: (_, s) => Exact(s) with { RejectRate = 0.01, StaleRate = 0.005, ShareDifficulty = 4096 });
        clock.Advance(TimeSpan.FromHours(2));

        PoolView p = farm.Miners[0].Snapshot().Pools[0];
        long submitted = (long)Math.Floor(110e12 * 7200 / TwoTo32 / 4096);
        Assert.Equal(submitted, p.Accepted + p.Rejected + p.Stale);
        Assert.Equal((long)Math.Floor(submitted * 0.01), p.Rejected);
        Assert.Equal((long)Math.Floor(submitted * 0.005), p.Stale);
    }

    [Fact]
    public async Task Load_balance_splits_hashrate_by_quota()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, strategy: PoolStrategy.LoadBalance,
            customize: (_, s) => Exact(s) with
            {
                Pools = [new PoolDefinition("stratum+tcp://a.example:3333", "w1", Quota: 3), new PoolDefinition("stratum+tcp://b.example:3333", "w2", Quota: 1)],
            });
        clock.Advance(TimeSpan.FromHours(1));

        IReadOnlyList<PoolAccountView> view = farm.PoolView();
        double a = view.Single(p => p.User == "w1").Hashes;
        double b = view.Single(p => p.User == "w2").Hashes;
        Assert.Equal(0.75, a / (a + b), 9);
    }

    [Fact]
    public async Task Failover_sends_everything_to_the_next_pool_when_the_first_is_dead()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, customize: (_, s) => Exact(s));
        farm.SetPoolAlive("stratum+tcp://pool.operator.example:3333", false);

        clock.Advance(TimeSpan.FromMinutes(30));

        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "pools"));
        JsonElement pools = doc.RootElement.GetProperty("POOLS");
        Assert.Equal("Dead", pools[0].GetProperty("Status").GetString());
        Assert.False(pools[0].GetProperty("Stratum Active").GetBoolean());
        Assert.True(pools[1].GetProperty("Stratum Active").GetBoolean());
        Assert.Equal(0, pools[0].GetProperty("Accepted").GetInt64());
        Assert.True(pools[1].GetProperty("Accepted").GetInt64() > 0);
    }

    [Fact]
    public async Task With_every_pool_dead_the_miner_does_not_hash()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, customize: (_, s) => Exact(s));
        farm.SetPoolAlive("stratum+tcp://pool.operator.example:3333", false);
        farm.SetPoolAlive("stratum+tcp://backup.operator.example:3333", false);
        clock.Advance(TimeSpan.FromMinutes(5));

        MinerView v = farm.Miners[0].Snapshot();
        Assert.Equal(0, v.Hash5s);
        Assert.Equal(0, v.TotalHashes);
    }

    [Fact]
    public async Task Totals_do_not_depend_on_how_often_the_miner_is_asked()
    {
        var clockA = new FakeTimeProvider();
        var clockB = new FakeTimeProvider();
        await using SimulatedFarm a = await TestFarms.StartAsync("antminer", clock: clockA);
        await using SimulatedFarm b = await TestFarms.StartAsync("antminer", clock: clockB);

        clockA.Advance(TimeSpan.FromMinutes(30));
        for (int i = 0; i < 360; i++)
        {
            clockB.Advance(TimeSpan.FromSeconds(5));
            b.Miners[0].Snapshot();
        }

        MinerView va = a.Miners[0].Snapshot();
        MinerView vb = b.Miners[0].Snapshot();
        Assert.Equal(va.TotalHashes, vb.TotalHashes, va.TotalHashes * 1e-12);
        Assert.Equal(va.Accepted, vb.Accepted);
        Assert.Equal(va.Hash5s, vb.Hash5s);
    }

    [Fact]
    public async Task Noise_varies_5s_hashrate_around_nominal_but_the_average_stays_close()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, model: "Antminer S19 Pro",
            customize: (_, s) => s with { NoisePercent = 3 });
        var samples = new List<double>();
        for (int i = 0; i < 120; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            samples.Add(farm.Miners[0].Snapshot().Hash5s);
        }

        Assert.True(samples.Distinct().Count() > 100);
        Assert.All(samples, h => Assert.InRange(h, 110e12 * 0.97, 110e12 * 1.03));
        Assert.InRange(farm.Miners[0].Snapshot().HashAverage, 110e12 * 0.99, 110e12 * 1.01);
    }

    [Fact]
    public async Task A_pool_changing_its_difficulty_keeps_accepted_difficulty_exact()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, model: "Antminer S19 Pro", customize: (_, s) => Exact(s));
        const string Url = "stratum+tcp://pool.operator.example:3333";

        clock.Advance(TimeSpan.FromMinutes(30));
        farm.SetPoolDifficulty(Url, 1_000_000);
        clock.Advance(TimeSpan.FromMinutes(30));

        PoolView p = farm.Miners[0].Snapshot().Pools[0];
        double diff1 = 110e12 * 3600 / TwoTo32;
        Assert.Equal(diff1, p.Diff1, diff1 * 1e-9);
        Assert.Equal(1_000_000, p.ShareDifficulty);
        Assert.Equal(1_000_000, p.LastShareDifficulty);
        // Each half's remainder below one share is lost to quantization at most once per difficulty.
        Assert.InRange(p.DifficultyAccepted, diff1 - 65536 - 1_000_000, diff1);
        Assert.Equal(p.DifficultyAccepted, farm.PoolView().Single(a => a.Url == Url).AcceptedDifficulty);
    }

    [Fact]
    public async Task Switching_pools_loses_the_unfinished_share_of_the_pool_left_behind()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, model: "Antminer S19 Pro", writeAccess: true,
            customize: (_, s) => Exact(s) with { ShareDifficulty = 1e9 });
        SimulatedMiner miner = farm.Miners[0];
        clock.Advance(TimeSpan.FromSeconds(30));

        await MinerWire.JsonAsync(miner.ListenEndPoint, "switchpool", "1");
        await MinerWire.JsonAsync(miner.ListenEndPoint, "switchpool", "0");
        clock.Advance(TimeSpan.FromSeconds(30));

        // 30 s of an S19 Pro is under one share at difficulty 1e9; the first 30 s were lost at the switch.
        double perHalf = 110e12 * 30 / TwoTo32;
        Assert.True(perHalf < 1e9);
        clock.Advance(TimeSpan.FromSeconds(1e9 / (110e12 / TwoTo32) - 30 - 1));
        Assert.Equal(0, miner.Snapshot().Pools[0].Accepted);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, miner.Snapshot().Pools[0].Accepted);
    }
}
