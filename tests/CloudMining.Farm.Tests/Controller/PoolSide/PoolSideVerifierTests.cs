using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Proof;
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

    [Fact]
    public async Task An_hourly_pool_average_reaching_back_before_the_contract_is_not_compared_until_the_watch_covers_its_window()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(TimeSpan.FromHours(2));
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        DateTimeOffset start = f.Now;
        Contract contract = Contract.Create("c-bob", "bob", Hashrate.FromTerahashes(13), PoolAccount.Create(PoolSideFarm.F2PoolUrl, "bob.rig2"), ContractTerm.Fixed(start, start.AddDays(30)), FeeTerms.Create(0, false));
        await store.UpsertContractAsync(contract, CancellationToken.None);
        await store.SetPoolWatchAsync(contract.Id, f.Watch(PoolApiKind.F2Pool, "bob.rig2", PoolSideFarm.F2PoolSecret), CancellationToken.None);

        // The pool credits 70 % from the contract's start: its last-hour average slides from 100 % to 70 % over the first
        // hour, half of which (and more) is time before the contract. Ours: the miner's own accepted difficulty.
        f.Farm.SetPoolCreditFactor(PoolSideFarm.F2PoolUrl, 0.7);
        var samples = new Queue<(DateTimeOffset At, double Difficulty)>();
        double? Ours(string _)
        {
            (DateTimeOffset at, double d) = samples.First();
            (DateTimeOffset lastAt, double last) = samples.Last();
            return lastAt - at >= TimeSpan.FromMinutes(5) ? (last - d) * 4294967296.0 / (lastAt - at).TotalSeconds : null;
        }

        TimeSpan hold = TimeSpan.FromMinutes(10);
        var verifier = new PoolSideVerifier(store, store, [f.F2Pool], Ours, new PoolSideOptions { PollInterval = TimeSpan.FromMinutes(1), Hold = hold, TolerancePercent = 10 }, f.Clock, f.Logs.CreateLogger<PoolSideVerifier>());
        var raised = new List<PoolDiscrepancy>();
        while (f.Now < start + TimeSpan.FromHours(1) + hold + TimeSpan.FromMinutes(5))
        {
            f.Clock.Advance(TimeSpan.FromMinutes(1));
            samples.Enqueue((f.Now, f.Farm.Miners[1].Snapshot().Pools[0].DifficultyAccepted));
            while (f.Now - samples.Peek().At > TimeSpan.FromMinutes(15))
            {
                samples.Dequeue();
            }

            raised.AddRange(await verifier.RunOnceAsync(CancellationToken.None));
        }

        // Not while the hour-long average covered time before the contract; then after the hold, once.
        PoolDiscrepancy d = Assert.Single(raised);
        Assert.InRange(d.Since - start, TimeSpan.FromHours(1), TimeSpan.FromHours(1) + TimeSpan.FromMinutes(3));
        Assert.InRange(d.At - d.Since, hold, hold + TimeSpan.FromMinutes(1));
        Assert.InRange(d.Deviation, -0.35, -0.2);

        // The hour the watch began in is stored with the seconds it covered, and the proof marks it partial.
        DateTimeOffset firstHour = CloudMining.Farm.Controller.Ledger.HourlyLedger.HourOf(start);
        IReadOnlyList<PoolSideHour> hours = await store.GetPoolSideHoursAsync("c-bob", firstHour, firstHour.AddHours(2), CancellationToken.None);
        Assert.Equal(2, hours.Count);
        Assert.Equal(start, firstHour);
        Assert.Equal(3540, hours[0].ObservedSeconds, 1e-6);
        Assert.Equal((f.Now - firstHour.AddHours(1)).TotalSeconds, hours[1].ObservedSeconds, 1e-6);
    }

    [Fact]
    public async Task A_restart_mid_hour_adds_to_the_stored_hour_instead_of_starting_it_again()
    {
        await using PoolSideFarm f = await PoolSideFarm.StartAsync(TimeSpan.FromHours(1));
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        await store.UpsertContractAsync(Contract.Create("c-alice", "alice", Hashrate.FromTerahashes(13), PoolAccount.Create(PoolSideFarm.BraiinsUrl, "alice.rig1"), ContractTerm.Fixed(f.Now.AddDays(-1), f.Now.AddDays(30)), FeeTerms.Create(0, false)), CancellationToken.None);
        await store.SetPoolWatchAsync("c-alice", f.Watch(PoolApiKind.Braiins, "alice.rig1", PoolSideFarm.BraiinsToken), CancellationToken.None);
        PoolSideVerifier NewVerifier() => new(store, store, [f.Braiins], _ => null, new PoolSideOptions { PollInterval = TimeSpan.FromMinutes(1) }, f.Clock, f.Logs.CreateLogger<PoolSideVerifier>());
        DateTimeOffset hour = f.Now;

        // 01:00–01:30 read by one process, then (after a minute down) 01:31–02:00 by the next one.
        PoolSideVerifier first = NewVerifier();
        for (int i = 0; i < 30; i++)
        {
            f.Clock.Advance(TimeSpan.FromMinutes(1));
            await first.RunOnceAsync(CancellationToken.None);
        }

        PoolSideVerifier second = NewVerifier();
        for (int i = 0; i < 30; i++)
        {
            f.Clock.Advance(TimeSpan.FromMinutes(1));
            await second.RunOnceAsync(CancellationToken.None);
        }

        PoolSideHour stored = Assert.Single(await store.GetPoolSideHoursAsync("c-alice", hour, hour.AddHours(1), CancellationToken.None));
        Assert.Equal((29 + 29) * 60, stored.ObservedSeconds, 1e-6);
        double ledgerThh = f.Farm.Pools.Window("alice.rig1", hour, hour.AddHours(1)).HashesPerSecond / 1e12;
        Assert.InRange(stored.PoolTerahashHours, ledgerThh * 58 / 60 * 0.95, ledgerThh * 58 / 60 * 1.05);
    }

    [Fact]
    public void A_partly_watched_hour_is_marked_and_scaled_to_the_whole_hour_for_comparison_a_whole_one_is_not()
    {
        DateTimeOffset h0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        LedgerEntry[] ledger = [Row(h0, 10), Row(h0.AddHours(1), 10)];
        PoolSideHour[] pool = [new("c1", h0, 2.5, 900), new("c1", h0.AddHours(1), 9.7, 3590)];

        IReadOnlyList<ProofHourView> hours = ContractProofBuilder.Hours(ledger, null, pool, []);

        Assert.Equal((2.5, 900.0, true, 10.0), (hours[0].PoolTerahashHours!.Value, hours[0].PoolObservedSeconds!.Value, hours[0].PoolPartial, hours[0].PoolTerahashHoursFullHour!.Value));
        Assert.Equal(0.25, hours[0].PoolCoverage!.Value, 1e-12);
        Assert.Equal((9.7, false, 9.7), (hours[1].PoolTerahashHours!.Value, hours[1].PoolPartial, hours[1].PoolTerahashHoursFullHour!.Value));
        string json = System.Text.Json.JsonSerializer.Serialize(hours[0], ApiJsonContext.Default.ProofHourView);
        Assert.Contains("\"poolObservedSeconds\":900", json, StringComparison.Ordinal);
        Assert.Contains("\"poolPartial\":true", json, StringComparison.Ordinal);
        Assert.Equal("2.500 (partial: 15 min watched, ≈10.000 for the hour)", CloudMining.Farm.Ctl.Rendering.ProofTables.PoolCell(hours[0]));

        static LedgerEntry Row(DateTimeOffset hour, double thh) => new("c1", hour, thh, thh, 0, 0, 0, 0);
    }

    [Fact]
    public void The_proofs_watched_note_counts_partly_watched_hours_by_their_share_and_unwatched_ones_as_none()
    {
        DateTimeOffset h0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        LedgerEntry[] ledger = [Row(h0, 10), Row(h0.AddHours(1), 10), Row(h0.AddHours(2), 10)];
        PoolSideHour[] partly = [new("c1", h0, 2.5, 900), new("c1", h0.AddHours(1), 9.7, 3590)];
        PoolSideHour[] lastShort = [new("c1", h0, 9.7, 3600), new("c1", h0.AddHours(1), 9.7, 3590), new("c1", h0.AddHours(2), 9.7, 3500)];
        PoolSideHour[] twoMinutes = [new("c1", h0, 0.3, 120)];

        Assert.Equal("1.25 of 3 h watched", ProofHourView.PoolWatchedNote(ContractProofBuilder.Hours(ledger, null, partly, [])));
        Assert.Equal("2.97 of 3 h watched", ProofHourView.PoolWatchedNote(ContractProofBuilder.Hours(ledger, null, lastShort, [])));
        Assert.Equal("0.03 of 1 h watched", ProofHourView.PoolWatchedNote(ContractProofBuilder.Hours(ledger[..1], null, twoMinutes, [])));
        Assert.Null(ProofHourView.PoolWatchedNote(ContractProofBuilder.Hours(ledger[..2], null, lastShort[..2], [])));
        Assert.Null(ProofHourView.PoolWatchedNote(ContractProofBuilder.Hours(ledger, null, [], [])));

        static LedgerEntry Row(DateTimeOffset hour, double thh) => new("c1", hour, thh, thh, 0, 0, 0, 0);
    }

    public void Dispose()
    {
        foreach (string p in new[] { _dbPath, _dbPath + "-wal", _dbPath + "-shm" })
        {
            File.Delete(p);
        }
    }
}
