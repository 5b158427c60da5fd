using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Simulator.Mining;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.PoolSide;

/// <summary>The verifier against the simulator's pool API: the pool credits less than the miners claim.</summary>
public sealed class PoolSideVerifierTests : IDisposable
{
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(30);
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), $"poolside-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task A_pool_crediting_less_than_the_miners_claim_raises_the_discrepancy_after_the_hold_time_and_not_before()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(TimeSpan.FromHours(1));
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        Contract contract = Contract.Create("c-alice", "alice", Hashrate.FromTerahashes(13), PoolAccount.Create(PoolSideFarm.BraiinsUrl, "alice.rig1"), ContractTerm.Fixed(f.Now.AddDays(-1), f.Now.AddDays(30)), FeeTerms.Create(0, false));
        await store.UpsertContractAsync(contract, CancellationToken.None);
        await store.SetPoolWatchAsync(contract.Id, f.Watch(PoolApiKind.Braiins, "alice.rig1", PoolSideFarm.BraiinsToken), CancellationToken.None);

        // Ours: what the miner itself counts as accepted at that pool over the last 15 minutes (as the proof does).
        var samples = new Queue<(DateTimeOffset At, double Difficulty)>();
        double? Ours(string _)
        {
            (DateTimeOffset at, double d) = samples.First();
            (DateTimeOffset lastAt, double last) = samples.Last();
            return lastAt - at >= TimeSpan.FromMinutes(5) ? (last - d) * 4294967296.0 / (lastAt - at).TotalSeconds : null;
        }

        var verifier = new PoolSideVerifier(store, store, [f.Braiins, f.F2Pool, f.HashrateOnly], Ours, new PoolSideOptions { PollInterval = TimeSpan.FromMinutes(1), Hold = Hold, TolerancePercent = 10 }, f.Clock, f.Logs.CreateLogger<PoolSideVerifier>());
        async Task<IReadOnlyList<PoolDiscrepancy>> Minute()
        {
            f.Clock.Advance(TimeSpan.FromMinutes(1));
            samples.Enqueue((f.Now, f.Farm.Miners[0].Snapshot().Pools[0].DifficultyAccepted));
            while (f.Now - samples.Peek().At > TimeSpan.FromMinutes(15))
            {
                samples.Dequeue();
            }

            return await verifier.RunOnceAsync(CancellationToken.None);
        }

        // Twenty agreeing minutes first: nothing is raised.
        for (int i = 0; i < 20; i++)
        {
            Assert.Empty(await Minute());
        }

        DateTimeOffset lowered = f.Now;
        f.Farm.SetPoolCreditFactor(PoolSideFarm.BraiinsUrl, 0.7);
        var raised = new List<PoolDiscrepancy>();
        while (f.Now < lowered + Hold)
        {
            Assert.Empty(await Minute());
        }

        while (f.Now < lowered + Hold + TimeSpan.FromMinutes(10))
        {
            raised.AddRange(await Minute());
        }

        PoolDiscrepancy d = Assert.Single(raised);
        Assert.Equal("c-alice", d.ContractId);
        Assert.InRange(d.Since - lowered, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        Assert.InRange(d.At - d.Since, Hold, Hold + TimeSpan.FromMinutes(1));
        Assert.InRange(d.Deviation, -0.35, -0.2);
        Assert.Equal(d, Assert.Single(await store.GetDiscrepanciesAsync("c-alice", CancellationToken.None)));
        Assert.Contains(f.Logs.Records, r => r.Message.Contains("Pool-side check of contract c-alice", StringComparison.Ordinal) && r.Message.Contains("worker alice.rig1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_pools_hourly_figure_is_stored_beside_ours_and_a_refused_key_is_logged_without_the_key()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(TimeSpan.FromMinutes(30));
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        foreach ((string id, string worker, string url) in new[] { ("c-alice", "alice.rig1", PoolSideFarm.BraiinsUrl), ("c-bob", "bob.rig2", PoolSideFarm.F2PoolUrl) })
        {
            await store.UpsertContractAsync(Contract.Create(id, id, Hashrate.FromTerahashes(13), PoolAccount.Create(url, worker), ContractTerm.Fixed(f.Now.AddDays(-1), f.Now.AddDays(30)), FeeTerms.Create(0, false)), CancellationToken.None);
        }

        const string RevokedSecret = "f2s-REVOKED-0d9e8f";
        await store.SetPoolWatchAsync("c-alice", f.Watch(PoolApiKind.Braiins, "alice.rig1", PoolSideFarm.BraiinsToken), CancellationToken.None);
        await store.SetPoolWatchAsync("c-bob", f.Watch(PoolApiKind.F2Pool, "bob.rig2", RevokedSecret), CancellationToken.None);
        var verifier = new PoolSideVerifier(store, store, [f.Braiins, f.F2Pool], _ => null, new PoolSideOptions { PollInterval = TimeSpan.FromMinutes(1) }, f.Clock, f.Logs.CreateLogger<PoolSideVerifier>());

        for (int i = 0; i < 150; i++)
        {
            f.Clock.Advance(TimeSpan.FromMinutes(1));
            await verifier.RunOnceAsync(CancellationToken.None);
        }

        // The first complete hour read from the pool: within a few percent of what the pool ledger credited in it
        // (the pool's 5-minute figure sampled each minute lags the hour's edges a little).
        DateTimeOffset hour = new(2026, 12, 1, 1, 0, 0, TimeSpan.Zero);
        PoolSideHour stored = Assert.Single(await store.GetPoolSideHoursAsync("c-alice", hour, hour.AddHours(1), CancellationToken.None));
        PoolWindow ledger = f.Farm.Pools.Window("alice.rig1", hour, hour.AddHours(1));
        double ledgerThh = ledger.HashesPerSecond / 1e12;
        Assert.True(ledgerThh > 10);
        Assert.Equal(3600, stored.ObservedSeconds, 1e-6);
        Assert.InRange(stored.PoolTerahashHours, ledgerThh * 0.97, ledgerThh * 1.03);

        // The refused key: one clear warning (not one per minute), and the key nowhere.
        Assert.Empty(await store.GetPoolSideHoursAsync("c-bob", hour.AddHours(-2), hour.AddHours(2), CancellationToken.None));
        string refused = Assert.Single(f.Logs.Records.Where(r => r.Message.Contains("c-bob", StringComparison.Ordinal)).Select(r => r.Message));
        Assert.Contains("refused the API secret", refused, StringComparison.Ordinal);
        Assert.All(f.Logs.Records, r => Assert.DoesNotContain(RevokedSecret, r.Message, StringComparison.Ordinal));
        Assert.All(f.Logs.Records, r => Assert.DoesNotContain(PoolSideFarm.BraiinsToken, r.Message, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        foreach (string p in new[] { _dbPath, _dbPath + "-wal", _dbPath + "-shm" })
        {
            File.Delete(p);
        }
    }
}
