using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Admission;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Microsoft.Data.Sqlite;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller;

public sealed class SqliteControllerStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-store-").FullName;

    private string DbPath => Path.Combine(_dir, "controller.db");

    [Fact]
    public async Task New_file_database_is_created_in_wal_mode_with_every_migration_applied()
    {
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            Assert.Equal(SqliteMigrations.All[^1].Version, await store.GetSchemaVersionAsync(CancellationToken.None));
        }

        Assert.True(File.Exists(DbPath));
        Assert.Equal("wal", Scalar(DbPath, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteMigrations.All.Count, Scalar(DbPath, "SELECT COUNT(*) FROM schema_migrations;"));
    }

    [Fact]
    public async Task Known_miners_and_their_racks_survive_reopening_and_a_new_rack_replaces_the_old()
    {
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            Assert.Empty(await store.GetKnownMinersAsync(CancellationToken.None));
            await store.SaveKnownMinersAsync([new KnownMiner("m1", "R01", Epoch), new KnownMiner("m2", "R02", Epoch.AddMinutes(5))], CancellationToken.None);
            await store.SaveKnownMinersAsync([new KnownMiner("m1", "R03", Epoch.AddHours(1))], CancellationToken.None);
        }

        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            Assert.Equal(
                [new KnownMiner("m1", "R03", Epoch.AddHours(1)), new KnownMiner("m2", "R02", Epoch.AddMinutes(5))],
                await store.GetKnownMinersAsync(CancellationToken.None));
        }
    }

    [Fact]
    public async Task Reopening_applies_no_migration_twice()
    {
        for (int k = 0; k < 3; k++)
        {
            await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None);
            Assert.Equal(SqliteMigrations.All[^1].Version, await store.GetSchemaVersionAsync(CancellationToken.None));
        }

        Assert.Equal((long)SqliteMigrations.All.Count, Scalar(DbPath, "SELECT COUNT(*) FROM schema_migrations;"));
        Assert.Equal((long)SqliteMigrations.All.Count, Scalar(DbPath, "SELECT COUNT(DISTINCT version) FROM schema_migrations;"));
    }

    [Fact]
    public async Task Contracts_allocation_and_ledger_survive_closing_and_reopening()
    {
        Contract fixedTerm = Contract("c1", 250);
        Contract openEnded = CloudMining.Farm.Controller.Contracts.Contract.Create(
            "c2",
            "bob",
            Hashrate.FromTerahashes(1200),
            PoolAccount.Create("stratum+ssl://ssl.pool.example:443", "bob.farm-2"),
            ContractTerm.OpenEnded(Epoch, 5),
            FeeTerms.Create(0.0731m, electricityAtCost: false));
        var allocation = new Dictionary<string, IReadOnlyList<PoolShare>>
        {
            ["m1"] = [new PoolShare("c1", 1)],
            ["m2"] = [new PoolShare("c1", 0.5), new PoolShare(HousePool.AssigneeId, 0.5)],
        };
        LedgerEntry row = new("c1", Epoch.AddHours(3), 250, 247.5, 2.5, 80.25, 0.52m, 4.013m);

        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            await store.UpsertContractAsync(fixedTerm, CancellationToken.None);
            await store.UpsertContractAsync(openEnded, CancellationToken.None);
            await store.SaveAllocationAsync(7, allocation, CancellationToken.None);
            await store.AppendLedgerAsync([row], CancellationToken.None);
        }

        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            IReadOnlyList<Contract> contracts = await store.GetContractsAsync(CancellationToken.None);
            Assert.Equal([fixedTerm.Id, openEnded.Id], contracts.Select(c => c.Id));
            Contract c2 = contracts[1];
            Assert.Equal(openEnded.Target, c2.Target);
            Assert.Equal(openEnded.Pool, c2.Pool);
            Assert.Equal(openEnded.Term, c2.Term);
            Assert.Equal(openEnded.Fees, c2.Fees);
            Assert.Equal(fixedTerm.Term, contracts[0].Term);

            (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> loaded) = await store.LoadAllocationAsync(CancellationToken.None);
            Assert.Equal(7, version);
            Assert.Equal(allocation["m1"], loaded["m1"]);
            Assert.Equal(allocation["m2"], loaded["m2"]);

            IReadOnlyList<LedgerEntry> ledger = await store.GetLedgerAsync("c1", Epoch, Epoch.AddDays(1), CancellationToken.None);
            Assert.Equal([row], ledger);
        }
    }

    [Fact]
    public async Task Committed_writes_survive_a_crash_that_leaves_only_the_database_and_its_wal()
    {
        SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None);
        await store.UpsertContractAsync(Contract("c1", 100), CancellationToken.None);
        await store.SaveAllocationAsync(3, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 1)] }, CancellationToken.None);

        // Power cut: copy the files as they are on disk while the store is still open (no checkpoint, no clean close).
        string crashed = CopyAsCrashed(DbPath);
        Assert.True(new FileInfo(DbPath + "-wal").Length > 0, "the commits should still sit in the WAL");

        await using (SqliteControllerStore recovered = await SqliteControllerStore.OpenAsync(crashed, CancellationToken.None))
        {
            Assert.Equal("c1", Assert.Single(await recovered.GetContractsAsync(CancellationToken.None)).Id);
            (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> loaded) = await recovered.LoadAllocationAsync(CancellationToken.None);
            Assert.Equal(3, version);
            Assert.Equal([new PoolShare("c1", 1)], loaded["m1"]);
        }

        await store.DisposeAsync();
    }

    [Fact]
    public async Task Uncommitted_transaction_is_gone_after_a_crash()
    {
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            await store.UpsertContractAsync(Contract("kept", 100), CancellationToken.None);
        }

        using var writer = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        writer.Open();
        using SqliteTransaction tx = writer.BeginTransaction();
        using (SqliteCommand cmd = writer.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM contracts; INSERT INTO allocation_version (id, version) VALUES (1, 99);";
            cmd.ExecuteNonQuery();
        }

        string crashed = CopyAsCrashed(DbPath);

        await using SqliteControllerStore recovered = await SqliteControllerStore.OpenAsync(crashed, CancellationToken.None);
        Assert.Equal("kept", Assert.Single(await recovered.GetContractsAsync(CancellationToken.None)).Id);
        Assert.Equal(0, (await recovered.LoadAllocationAsync(CancellationToken.None)).Version);
    }

    [Fact]
    public async Task Saving_an_allocation_replaces_the_previous_one_entirely()
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None);
        await store.SaveAllocationAsync(1, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 1)], ["m2"] = [new PoolShare("c1", 1)] }, CancellationToken.None);
        await store.SaveAllocationAsync(2, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m2"] = [new PoolShare(HousePool.AssigneeId, 1)] }, CancellationToken.None);

        (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> loaded) = await store.LoadAllocationAsync(CancellationToken.None);

        Assert.Equal(2, version);
        Assert.Equal(["m2"], loaded.Keys);
        Assert.Equal([new PoolShare(HousePool.AssigneeId, 1)], loaded["m2"]);
    }

    [Fact]
    public async Task Deleting_a_contract_removes_its_allocation_but_keeps_its_ledger()
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None);
        await store.UpsertContractAsync(Contract("c1", 100), CancellationToken.None);
        await store.UpsertContractAsync(Contract("c2", 100), CancellationToken.None);
        await store.SaveAllocationAsync(1, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 0.4), new PoolShare("c2", 0.6)] }, CancellationToken.None);
        await store.AppendLedgerAsync([new LedgerEntry("c1", Epoch, 100, 100, 0, 30, 0.2m, 1.5m)], CancellationToken.None);

        Assert.True(await store.DeleteContractAsync("c1", CancellationToken.None));
        Assert.False(await store.DeleteContractAsync("c1", CancellationToken.None));

        Assert.Equal(["c2"], (await store.GetContractsAsync(CancellationToken.None)).Select(c => c.Id));
        Assert.Equal([new PoolShare("c2", 0.6)], (await store.LoadAllocationAsync(CancellationToken.None)).Assignments["m1"]);
        Assert.Single(await store.GetLedgerAsync("c1", Epoch, Epoch.AddHours(1), CancellationToken.None));
    }

    [Fact]
    public async Task Ledger_row_for_the_same_contract_hour_is_replaced_not_duplicated()
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None);
        await store.AppendLedgerAsync([new LedgerEntry("c1", Epoch, 100, 90, 10, 30, 0.2m, 1.5m)], CancellationToken.None);
        await store.AppendLedgerAsync([new LedgerEntry("c1", Epoch, 100, 99, 1, 31, 0.2m, 1.6m), new LedgerEntry("c1", Epoch.AddHours(1), 100, 100, 0, 31, 0.2m, 1.6m)], CancellationToken.None);

        IReadOnlyList<LedgerEntry> rows = await store.GetLedgerAsync("c1", Epoch, Epoch.AddHours(2), CancellationToken.None);

        Assert.Equal(2, rows.Count);
        Assert.Equal(99, rows[0].DeliveredTerahashHours);
        Assert.Equal(1.6m, rows[0].ElectricityCost);
    }

    [Fact]
    public async Task Hand_edited_invalid_contract_row_is_reported_with_its_id_and_field()
    {
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None))
        {
            await store.UpsertContractAsync(Contract("c1", 100), CancellationToken.None);
        }

        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using SqliteCommand cmd = raw.CreateCommand();
            cmd.CommandText = "UPDATE contracts SET pool_worker = 'bad worker!' WHERE id = 'c1';";
            cmd.ExecuteNonQuery();
        }

        await using SqliteControllerStore reopened = await SqliteControllerStore.OpenAsync(DbPath, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => reopened.GetContractsAsync(CancellationToken.None));

        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pool.worker", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unopenable_path_gives_an_error_naming_the_path()
    {
        string path = Path.Combine(_dir, "missing-dir", "controller.db");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteControllerStore.OpenAsync(path, CancellationToken.None));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private string CopyAsCrashed(string db)
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "crashed-" + Guid.NewGuid().ToString("N"))).FullName;
        string copy = Path.Combine(dir, "controller.db");
        File.Copy(db, copy);
        if (File.Exists(db + "-wal"))
        {
            File.Copy(db + "-wal", copy + "-wal");
        }

        return copy;
    }

    private static object? Scalar(string db, string sql)
    {
        using var c = new SqliteConnection($"Data Source={db};Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
