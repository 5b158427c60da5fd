using System.Data.Common;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Admission;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller;

/// <summary>
/// What every controller store must do, run once per store (<see cref="SqliteControllerStoreTests"/>,
/// <see cref="PostgreSqlControllerStoreTests"/>): migrations, round trips, atomic replaces, crash safety, final settlements.
/// </summary>
public abstract class ControllerStoreContractTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>Opens the test's store (the same database each call: a reopen).</summary>
    protected abstract Task<IControllerStore> OpenAsync();

    /// <summary>Runs SQL on the test's database outside the store, as an operator with a SQL shell would.</summary>
    protected abstract Task ExecuteRawAsync(string sql);

    /// <summary>Starts SQL in a transaction on a connection of its own and leaves it uncommitted; disposing drops it.</summary>
    protected abstract Task<IAsyncDisposable> BeginUncommittedAsync(string sql);

    /// <summary>A crash (power cut, killed server) with <paramref name="open"/> still open; returns the store reopened on what survived.</summary>
    protected abstract Task<IControllerStore> CrashAndReopenAsync(IControllerStore open);

    [StoreFact]
    public async Task New_database_gets_every_migration_and_reopening_applies_none_twice()
    {
        for (int k = 0; k < 3; k++)
        {
            await using IControllerStore store = await OpenAsync();
            Assert.Equal(SqliteMigrations.All[^1].Version, await store.GetSchemaVersionAsync(Ct));
        }

        // A second row for an applied version would fail its primary key; a missing one would show as a lower version above.
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawAsync($"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({SqliteMigrations.All[^1].Version}, 'again', '2026-01-01T00:00:00Z');"));
    }

    [StoreFact]
    public async Task Contracts_allocation_and_ledger_survive_closing_and_reopening()
    {
        Contract fixedTerm = Contract("c1", 250);
        Contract openEnded = CloudMining.Farm.Controller.Contracts.Contract.Create(
            "c2",
            "bob",
            Hashrate.FromTerahashes(1200),
            PoolAccount.Create("stratum+ssl://ssl.pool.example:443", "bob.farm-2"),
            ContractTerm.OpenEnded(Epoch, 5),
            FeeTerms.Create(0.0731m, electricityAtCost: false),
            CurtailmentTerms.Allow(12, CurtailmentTerms.ParsePeriod("month")));
        var allocation = new Dictionary<string, IReadOnlyList<PoolShare>>
        {
            ["m1"] = [new PoolShare("c1", 1)],
            ["m2"] = [new PoolShare("c1", 0.5), new PoolShare(HousePool.AssigneeId, 0.5)],
        };
        LedgerEntry row = new("c1", Epoch.AddHours(3), 250, 247.5, 2.5, 80.25, 0.52m, 4.013m);

        await using (IControllerStore store = await OpenAsync())
        {
            await store.UpsertContractAsync(fixedTerm, Ct);
            await store.UpsertContractAsync(openEnded, Ct);
            await store.SaveAllocationAsync(7, allocation, Ct);
            await store.AppendLedgerAsync([row], Ct);
        }

        await using (IControllerStore store = await OpenAsync())
        {
            IReadOnlyList<Contract> contracts = await store.GetContractsAsync(Ct);
            Assert.Equal([fixedTerm.Id, openEnded.Id], contracts.Select(c => c.Id));
            Contract c2 = contracts[1];
            Assert.Equal(openEnded.Target, c2.Target);
            Assert.Equal(openEnded.Pool, c2.Pool);
            Assert.Equal(openEnded.Term, c2.Term);
            Assert.Equal(openEnded.Fees, c2.Fees);
            Assert.Equal(openEnded.Curtailment, c2.Curtailment);
            Assert.Equal(fixedTerm.Term, contracts[0].Term);
            Assert.Equal(fixedTerm.Curtailment, contracts[0].Curtailment);

            (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> loaded) = await store.LoadAllocationAsync(Ct);
            Assert.Equal(7, version);
            Assert.Equal(allocation["m1"], loaded["m1"]);
            Assert.Equal(allocation["m2"], loaded["m2"]);

            Assert.Equal([row], await store.GetLedgerAsync("c1", Epoch, Epoch.AddDays(1), Ct));
        }
    }

    [StoreFact]
    public async Task Committed_writes_survive_a_crash()
    {
        IControllerStore store = await OpenAsync();
        await store.UpsertContractAsync(Contract("c1", 100), Ct);
        await store.SaveAllocationAsync(3, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 1)] }, Ct);
        await store.CloseLedgerHoursAsync([new LedgerEntry("c1", Epoch, 100, 100, 0, 30, 0.2m, 1.5m)], [new LedgerAccumulator("c1", Epoch.AddHours(1), 1e15, 250)], Ct);

        await using IControllerStore recovered = await CrashAndReopenAsync(store);

        Assert.Equal("c1", Assert.Single(await recovered.GetContractsAsync(Ct)).Id);
        (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> loaded) = await recovered.LoadAllocationAsync(Ct);
        Assert.Equal(3, version);
        Assert.Equal([new PoolShare("c1", 1)], loaded["m1"]);
        Assert.Single(await recovered.GetLedgerAsync("c1", Epoch, Epoch.AddHours(1), Ct));
        Assert.Equal([new LedgerAccumulator("c1", Epoch.AddHours(1), 1e15, 250)], await recovered.LoadOpenLedgerAsync(Ct));
    }

    [StoreFact]
    public async Task Uncommitted_transaction_is_gone_after_a_crash()
    {
        IControllerStore store = await OpenAsync();
        await store.UpsertContractAsync(Contract("kept", 100), Ct);

        IAsyncDisposable pending = await BeginUncommittedAsync("DELETE FROM contracts; INSERT INTO allocation_version (id, version) VALUES (1, 99);");
        await using IControllerStore recovered = await CrashAndReopenAsync(store);
        try
        {
            await pending.DisposeAsync();
        }
        catch (Exception e) when (e is DbException or IOException or InvalidOperationException)
        {
            // Its connection died with the server.
        }

        Assert.Equal("kept", Assert.Single(await recovered.GetContractsAsync(Ct)).Id);
        Assert.Equal(0, (await recovered.LoadAllocationAsync(Ct)).Version);
    }

    [StoreFact]
    public async Task Saving_an_allocation_replaces_the_previous_one_entirely()
    {
        await using IControllerStore store = await OpenAsync();
        await store.SaveAllocationAsync(1, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 1)], ["m2"] = [new PoolShare("c1", 1)] }, Ct);
        await store.SaveAllocationAsync(2, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m2"] = [new PoolShare(HousePool.AssigneeId, 1)] }, Ct);

        (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> loaded) = await store.LoadAllocationAsync(Ct);

        Assert.Equal(2, version);
        Assert.Equal(["m2"], loaded.Keys);
        Assert.Equal([new PoolShare(HousePool.AssigneeId, 1)], loaded["m2"]);
    }

    [StoreFact]
    public async Task A_failed_allocation_save_leaves_the_previous_one_whole()
    {
        await using IControllerStore store = await OpenAsync();
        await store.SaveAllocationAsync(1, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 1)] }, Ct);

        // A fraction the schema refuses (> 1) fails the save after the old rows were deleted inside its transaction.
        await Assert.ThrowsAnyAsync<DbException>(() => store.SaveAllocationAsync(2, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m2"] = [new PoolShare("c1", 1)], ["m3"] = [new PoolShare("c1", 1.5)] }, Ct));

        (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> loaded) = await store.LoadAllocationAsync(Ct);
        Assert.Equal(1, version);
        Assert.Equal(["m1"], loaded.Keys);
    }

    [StoreFact]
    public async Task Deleting_a_contract_removes_its_allocation_but_keeps_its_ledger()
    {
        await using IControllerStore store = await OpenAsync();
        await store.UpsertContractAsync(Contract("c1", 100), Ct);
        await store.UpsertContractAsync(Contract("c2", 100), Ct);
        await store.SaveAllocationAsync(1, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 0.4), new PoolShare("c2", 0.6)] }, Ct);
        await store.AppendLedgerAsync([new LedgerEntry("c1", Epoch, 100, 100, 0, 30, 0.2m, 1.5m)], Ct);

        Assert.True(await store.DeleteContractAsync("c1", Ct));
        Assert.False(await store.DeleteContractAsync("c1", Ct));

        Assert.Equal(["c2"], (await store.GetContractsAsync(Ct)).Select(c => c.Id));
        Assert.Equal([new PoolShare("c2", 0.6)], (await store.LoadAllocationAsync(Ct)).Assignments["m1"]);
        Assert.Single(await store.GetLedgerAsync("c1", Epoch, Epoch.AddHours(1), Ct));
    }

    [StoreFact]
    public async Task Ledger_row_for_the_same_contract_hour_is_replaced_not_duplicated()
    {
        await using IControllerStore store = await OpenAsync();
        await store.AppendLedgerAsync([new LedgerEntry("c1", Epoch, 100, 90, 10, 30, 0.2m, 1.5m)], Ct);
        await store.AppendLedgerAsync([new LedgerEntry("c1", Epoch, 100, 99, 1, 31, 0.2m, 1.6m), new LedgerEntry("c1", Epoch.AddHours(1), 100, 100, 0, 31, 0.2m, 1.6m)], Ct);

        IReadOnlyList<LedgerEntry> rows = await store.GetLedgerAsync("c1", Epoch, Epoch.AddHours(2), Ct);

        Assert.Equal(2, rows.Count);
        Assert.Equal(99, rows[0].DeliveredTerahashHours);
        Assert.Equal(1.6m, rows[0].ElectricityCost);
        Assert.Equal(Epoch.AddHours(1), (await store.GetLastLedgerHoursAsync(Ct))["c1"]);
    }

    [StoreFact]
    public async Task Closing_ledger_hours_moves_them_from_open_to_closed_in_one_step()
    {
        await using IControllerStore store = await OpenAsync();
        await store.SaveOpenLedgerAsync([new LedgerAccumulator("c1", Epoch, 5e14, 100), new LedgerAccumulator("c1", Epoch.AddHours(1), 1e14, 20)], Ct);

        await store.CloseLedgerHoursAsync([new LedgerEntry("c1", Epoch, 100, 97, 3, 0.1, 0.2m, 0.01m)], [new LedgerAccumulator("c1", Epoch.AddHours(1), 2e14, 40)], Ct);

        Assert.Equal([new LedgerAccumulator("c1", Epoch.AddHours(1), 2e14, 40)], await store.LoadOpenLedgerAsync(Ct));
        Assert.Equal(97, Assert.Single(await store.GetLedgerAsync("c1", Epoch, Epoch.AddDays(1), Ct)).DeliveredTerahashHours);
    }

    [StoreFact]
    public async Task Drains_endings_known_miners_and_settings_survive_reopening()
    {
        await using (IControllerStore store = await OpenAsync())
        {
            await store.SetMinerDrainedAsync("m1", true, Epoch, Ct);
            await store.SetMinerDrainedAsync("m2", true, Epoch, Ct);
            await store.SetMinerDrainedAsync("m2", false, Epoch.AddHours(1), Ct);
            await store.EndContractAsync("c1", Epoch.AddDays(2), "ended by operator", Ct);
            await store.SaveKnownMinersAsync([new KnownMiner("m1", "R01", Epoch), new KnownMiner("m2", "R02", Epoch.AddMinutes(5))], Ct);
            await store.SaveKnownMinersAsync([new KnownMiner("m1", "R03", Epoch.AddHours(1))], Ct);
            await store.SetMetaAsync("ledger.start", "2026-01-01T00:00:00Z", Ct);
            await store.SetMetaAsync("ledger.start", "2026-01-02T00:00:00Z", Ct);
        }

        await using (IControllerStore store = await OpenAsync())
        {
            Assert.Equal(["m1"], await store.GetDrainedMinersAsync(Ct));
            Assert.Equal(new ContractEnding(Epoch.AddDays(2), "ended by operator"), (await store.GetContractEndingsAsync(Ct))["c1"]);
            Assert.Equal([new KnownMiner("m1", "R03", Epoch.AddHours(1)), new KnownMiner("m2", "R02", Epoch.AddMinutes(5))], await store.GetKnownMinersAsync(Ct));
            Assert.Equal("2026-01-02T00:00:00Z", await store.GetMetaAsync("ledger.start", Ct));
            Assert.Null(await store.GetMetaAsync("absent", Ct));
        }
    }

    [StoreFact]
    public async Task Pool_watches_pool_hours_discrepancies_and_settlement_terms_round_trip()
    {
        await using IControllerStore opened = await OpenAsync();
        var pool = (IPoolSideStore)opened;
        var settlements = (ISettlementStore)opened;
        PoolWatch watch = PoolWatch.Create(PoolApiKind.Braiins, "https://pool.example/api", "alice.farm-1", PoolSecret.Of("s3cret-token"));
        await pool.SetPoolWatchAsync("c1", watch, Ct);
        await pool.SetPoolWatchAsync("c2", watch, Ct);
        await pool.SetPoolWatchAsync("c2", null, Ct);
        await pool.SavePoolSideHoursAsync([new PoolSideHour("c1", Epoch, 99.5, 3600), new PoolSideHour("c1", Epoch.AddHours(1), 80, 1800)], Ct);
        await pool.SavePoolSideHoursAsync([new PoolSideHour("c1", Epoch.AddHours(1), 81, 3600)], Ct);
        var discrepancy = new PoolDiscrepancy("c1", "alice.farm-1", 100e12, 80e12, -0.2, Epoch, Epoch.AddMinutes(30));
        await pool.RecordDiscrepancyAsync(discrepancy, Ct);
        await settlements.SetSettlementTermsAsync("c1", SettlementTerms.Create(5, MakeGoodKind.Credit, 0.002m), Ct);

        PoolWatch read = Assert.Single(await pool.GetPoolWatchesAsync(Ct)).Value;
        Assert.Equal((watch.Kind, watch.ApiUrl, watch.Account, watch.Worker), (read.Kind, read.ApiUrl, read.Account, read.Worker));
        Assert.Equal(watch.Key.Reveal(), read.Key.Reveal());
        Assert.Equal([new PoolSideHour("c1", Epoch, 99.5, 3600), new PoolSideHour("c1", Epoch.AddHours(1), 81, 3600)], await pool.GetPoolSideHoursAsync("c1", Epoch, Epoch.AddDays(1), Ct));
        Assert.Equal([discrepancy], await pool.GetDiscrepanciesAsync("c1", Ct));
        Assert.Equal(SettlementTerms.Create(5, MakeGoodKind.Credit, 0.002m), (await settlements.GetSettlementTermsAsync(Ct))["c1"]);
    }

    [StoreFact]
    public async Task A_closed_settlement_is_final_even_to_sql()
    {
        await using IControllerStore opened = await OpenAsync();
        var store = (ISettlementStore)opened;
        var s = new ContractSettlement("c1", Epoch, Epoch.AddDays(1), 2400, 2280, 120, 120, MakeGoodKind.Credit, 0, 0, 0.24m, 800, 1.2m, 60.5m, null, Epoch.AddDays(1).AddMinutes(1));

        Assert.True(await store.CloseSettlementAsync(s, Ct));
        Assert.False(await store.CloseSettlementAsync(s with { Credit = 0m }, Ct));

        Assert.Equal([s], await store.GetSettlementsAsync("c1", Epoch, Epoch.AddDays(1), Ct));
        Assert.Equal([s], await store.GetSettlementsAsync(null, Epoch, Epoch.AddDays(1), Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawAsync("UPDATE settlements SET credit = 0;"));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawAsync("DELETE FROM settlements;"));
        Assert.Equal(0.24m, Assert.Single(await store.GetSettlementsAsync("c1", Epoch, Epoch.AddDays(1), Ct)).Credit);

        // The pool figure and the hours of the period the pool watch covered go in and come back together.
        var watched = new ContractSettlement("c2", Epoch, Epoch.AddDays(1), 2400, 2280, 120, 120, MakeGoodKind.Credit, 0, 0, 0.24m, 800, 1.2m, 60.5m, 1850.25, Epoch.AddDays(1).AddMinutes(1), 20.5);
        Assert.True(await store.CloseSettlementAsync(watched, Ct));
        Assert.Equal([watched], await store.GetSettlementsAsync("c2", Epoch, Epoch.AddDays(1), Ct));
    }

    [StoreFact]
    public async Task Curtailment_ledger_open_hours_and_operator_signals_round_trip_and_survive_reopening()
    {
        CurtailmentLedgerRow house = new(HousePool.AssigneeId, Epoch, 312.5, 14.25, 1);
        CurtailmentLedgerRow curt = new("c1", Epoch, 40, 2.5, 0.75);
        CurtailmentLedgerRow open1 = new(HousePool.AssigneeId, Epoch.AddHours(1), 10, 0.5, 0.5);
        CurtailmentLedgerRow open2 = new("c1", Epoch.AddHours(1), 1, 0.1, 0.25);
        await using (IControllerStore opened = await OpenAsync())
        {
            var store = Assert.IsAssignableFrom<ICurtailmentStore>(opened);
            await store.CloseCurtailmentHoursAsync([house with { CurtailedTerahashHours = 1 }, curt], [open1 with { CurtailedTerahashHours = 99 }], Ct);

            // Closing the same hour again replaces its row; the open hours are replaced as a whole.
            await store.CloseCurtailmentHoursAsync([house], [open2, open1], Ct);
            await store.SetOperatorSignalsAsync("{\"price\":1}", Ct);
            await store.SetOperatorSignalsAsync("{\"price\":120}", Ct);
        }

        await using (IControllerStore opened = await OpenAsync())
        {
            var store = (ICurtailmentStore)opened;
            Assert.Equal([house], await store.GetCurtailmentLedgerAsync(HousePool.AssigneeId, Epoch, Epoch.AddDays(1), Ct));
            Assert.Equal([curt], await store.GetCurtailmentLedgerAsync("c1", Epoch, Epoch.AddHours(1), Ct));
            Assert.Empty(await store.GetCurtailmentLedgerAsync("c1", Epoch.AddHours(1), Epoch.AddDays(1), Ct));
            Assert.Equal([open2, open1], await store.LoadOpenCurtailmentAsync(Ct));
            Assert.Equal("{\"price\":120}", await store.GetOperatorSignalsAsync(Ct));

            // The contracts' curtailed hours (allowance use, migration 11): closed rows with hours, the house's left out.
            Assert.Equal([curt], await store.GetCurtailedHoursSinceAsync(Epoch, Ct));
            Assert.Empty(await store.GetCurtailedHoursSinceAsync(Epoch.AddHours(1), Ct));

            await store.SetOperatorSignalsAsync(null, Ct);
            await store.CloseCurtailmentHoursAsync([], [], Ct);
            Assert.Null(await store.GetOperatorSignalsAsync(Ct));
            Assert.Empty(await store.LoadOpenCurtailmentAsync(Ct));
            Assert.Single(await store.GetCurtailmentLedgerAsync(HousePool.AssigneeId, Epoch, Epoch.AddDays(1), Ct));
        }
    }

    [StoreFact]
    public async Task Miner_hours_add_up_per_contract_hour_and_miner_and_survive_reopening()
    {
        await using (IControllerStore opened = await OpenAsync())
        {
            var store = Assert.IsAssignableFrom<IMinerHourStore>(opened);
            await store.AddMinerHoursAsync(
                [new MinerHour("c1", Epoch, "m2", "R01", 0.25, 25), new MinerHour("c1", Epoch, "M9", "R02", 0.5, 50), new MinerHour("c2", Epoch, "m2", "R01", 0.75, 75)],
                Ct);

            // The rest of the hour: the same key adds its share and TH·h, and takes the latest rack.
            await store.AddMinerHoursAsync([new MinerHour("c1", Epoch, "m2", "R03", 0.5, 49.5), new MinerHour("c1", Epoch.AddHours(1), "m10", "R01", 1, 100)], Ct);
            await store.AddMinerHoursAsync([], Ct);
        }

        await using (IControllerStore opened = await OpenAsync())
        {
            var store = (IMinerHourStore)opened;
            Assert.Equal(
                [new MinerHour("c1", Epoch, "M9", "R02", 0.5, 50), new MinerHour("c1", Epoch, "m2", "R03", 0.75, 74.5), new MinerHour("c1", Epoch.AddHours(1), "m10", "R01", 1, 100)],
                await store.GetMinerHoursAsync("c1", Epoch, Epoch.AddDays(1), Ct));
            Assert.Equal([new MinerHour("c1", Epoch.AddHours(1), "m10", "R01", 1, 100)], await store.GetMinerHoursAsync("c1", Epoch.AddHours(1), Epoch.AddHours(2), Ct));
            Assert.Equal([new MinerHour("c2", Epoch, "m2", "R01", 0.75, 75)], await store.GetMinerHoursAsync("c2", Epoch, Epoch.AddHours(1), Ct));
        }
    }

    [StoreFact]
    public async Task Hand_edited_invalid_contract_row_is_reported_with_its_id_and_field()
    {
        await using (IControllerStore store = await OpenAsync())
        {
            await store.UpsertContractAsync(Contract("c1", 100), Ct);
        }

        await ExecuteRawAsync("UPDATE contracts SET pool_worker = 'bad worker!' WHERE id = 'c1';");

        await using IControllerStore reopened = await OpenAsync();
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => reopened.GetContractsAsync(Ct));

        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pool.worker", ex.Message, StringComparison.Ordinal);
    }
}
