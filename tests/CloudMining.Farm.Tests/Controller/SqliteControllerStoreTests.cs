using CloudMining.Farm.Controller.Store;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CloudMining.Farm.Tests.Controller;

/// <summary>The store contract (<see cref="ControllerStoreContractTests"/>) on a SQLite file, and what is SQLite's own: WAL, the file path.</summary>
public sealed class SqliteControllerStoreTests : ControllerStoreContractTests, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-store-").FullName;
    private string _dbPath;

    public SqliteControllerStoreTests()
    {
        _dbPath = Path.Combine(_dir, "controller.db");
    }

    [Fact]
    public async Task New_file_database_is_created_in_wal_mode_with_every_migration_applied()
    {
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None))
        {
            Assert.Equal(SqliteMigrations.All[^1].Version, await store.GetSchemaVersionAsync(CancellationToken.None));
        }

        Assert.True(File.Exists(_dbPath));
        Assert.Equal("wal", Scalar(_dbPath, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteMigrations.All.Count, Scalar(_dbPath, "SELECT COUNT(*) FROM schema_migrations;"));
    }

    [Fact]
    public async Task Committed_writes_sit_in_the_wal_before_a_checkpoint()
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        await store.SetMetaAsync("k", "v", CancellationToken.None);

        Assert.True(new FileInfo(_dbPath + "-wal").Length > 0, "the commit should still sit in the WAL, which the crash tests copy");
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

    protected override async Task<IControllerStore> OpenAsync() => await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);

    protected override Task ExecuteRawAsync(string sql)
    {
        using var c = new SqliteConnection($"Data Source={_dbPath};Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    protected override Task<IAsyncDisposable> BeginUncommittedAsync(string sql)
    {
        var writer = new SqliteConnection($"Data Source={_dbPath};Pooling=False");
        writer.Open();
        SqliteTransaction tx = writer.BeginTransaction();
        using (SqliteCommand cmd = writer.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }

        return Task.FromResult<IAsyncDisposable>(new Pending(writer, tx));
    }

    /// <summary>Power cut: the database and its WAL as they are on disk while the store is still open (no checkpoint, no clean close), copied and reopened.</summary>
    protected override async Task<IControllerStore> CrashAndReopenAsync(IControllerStore open)
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir, "crashed-" + Guid.NewGuid().ToString("N"))).FullName;
        string copy = Path.Combine(dir, "controller.db");
        File.Copy(_dbPath, copy);
        if (File.Exists(_dbPath + "-wal"))
        {
            File.Copy(_dbPath + "-wal", copy + "-wal");
        }

        await open.DisposeAsync();
        _dbPath = copy;
        return await OpenAsync();
    }

    private static object? Scalar(string db, string sql)
    {
        using var c = new SqliteConnection($"Data Source={db};Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private sealed class Pending(SqliteConnection connection, SqliteTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
