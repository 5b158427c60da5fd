using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CloudMining.Farm.Tests.Controller;

/// <summary>
/// The store contract (<see cref="ControllerStoreContractTests"/>) on a real PostgreSQL server (one per collection, a
/// database per test); a crash is an immediate shutdown of the server, which then recovers from its WAL.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgreSqlServers.Name)]
[RequiresPostgreSql]
public sealed class PostgreSqlControllerStoreTests : ControllerStoreContractTests, IAsyncLifetime
{
    private readonly PostgreSqlFixture _fixture;
    private PostgreSqlServer? _server;
    private string _database = "";

    public PostgreSqlControllerStoreTests(PostgreSqlFixture fixture)
    {
        _fixture = fixture;
    }

    private PostgreSqlServer Server => _server ?? throw new InvalidOperationException("not initialised");

    [StoreFact]
    public async Task Two_stores_opening_a_new_database_at_once_migrate_it_once()
    {
        Task<IControllerStore>[] opening = [OpenAsync(), OpenAsync(), OpenAsync()];
        IControllerStore[] stores = await Task.WhenAll(opening);
        foreach (IControllerStore s in stores)
        {
            Assert.Equal(PostgreSqlMigrations.All[^1].Version, await s.GetSchemaVersionAsync(CancellationToken.None));
            await s.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(Server.ConnectionString(_database));
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations;", connection);
        Assert.Equal((long)PostgreSqlMigrations.All.Count, await cmd.ExecuteScalarAsync());
    }

    [StoreFact]
    public async Task A_wrong_password_is_a_clear_error_that_does_not_show_the_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(Server.ConnectionString(_database)) { Password = "not-the-Pa55word" };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlControllerStore.OpenAsync(builder.ConnectionString, CancellationToken.None));

        Assert.Contains($"postgresql://{PostgreSqlServer.User}@127.0.0.1:{Server.Port}/{_database}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-Pa55word", ex.ToString(), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Truncating_settlements_is_refused_like_deleting_them()
    {
        await using (await OpenAsync())
        {
        }

        var ex = await Assert.ThrowsAsync<PostgresException>(() => ExecuteRawAsync("TRUNCATE settlements;"));
        Assert.Contains("final", ex.MessageText, StringComparison.Ordinal);
    }

    public async Task InitializeAsync()
    {
        _server = await _fixture.ServerAsync();
        _database = await _server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is { IsRunning: true } && _database.Length > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await _server.ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE);");
        }
    }

    protected override async Task<IControllerStore> OpenAsync() => await PostgreSqlControllerStore.OpenAsync(Server.ConnectionString(_database), CancellationToken.None);

    protected override Task ExecuteRawAsync(string sql) => Server.ExecuteAsync(_database, sql);

    protected override async Task<IAsyncDisposable> BeginUncommittedAsync(string sql)
    {
        var connection = new NpgsqlConnection(Server.ConnectionString(_database) + ";Pooling=false");
        await connection.OpenAsync();
        NpgsqlTransaction tx = await connection.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(sql, connection, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        return connection;
    }

    /// <summary>Immediate shutdown of the server (no checkpoint), restart (WAL recovery), reopen.</summary>
    protected override async Task<IControllerStore> CrashAndReopenAsync(IControllerStore open)
    {
        await Server.CrashAsync();
        await open.DisposeAsync();
        await Server.StartAgainAsync();
        return await OpenAsync();
    }
}
