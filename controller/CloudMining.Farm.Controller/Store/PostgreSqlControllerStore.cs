using System.Data;
using System.Data.Common;
using Npgsql;

namespace CloudMining.Farm.Controller.Store;

/// <summary>
/// The controller store on a PostgreSQL server: the same tables and migrations as <see cref="SqliteControllerStore"/>
/// (twins in <see cref="PostgreSqlMigrations"/>), the same SQL (<see cref="SqlControllerStore"/>), one transaction per
/// write, pooled connections. Instants are timestamptz, money is numeric. Several controllers may open the same
/// database (a leader and a standby): migrations run under an advisory lock, so they apply once.
/// </summary>
public sealed class PostgreSqlControllerStore : SqlControllerStore
{
    /// <summary>Advisory lock key held while migrating ("farm" "mig" in ASCII), so two controllers starting at once do not both migrate.</summary>
    internal const long MigrationLockKey = 0x6661726D_6D6967;

    private readonly NpgsqlDataSource _dataSource;

    private PostgreSqlControllerStore(NpgsqlDataSource dataSource, string description)
    {
        _dataSource = dataSource;
        Description = description;
    }

    /// <summary>Where the store is, without its password: "postgresql://farm@db1:5432/farm".</summary>
    public string Description { get; }

    private protected override string Location => Description;

    private protected override string ByteOrder => "COLLATE \"C\"";

    private protected override DbType InstantType => DbType.DateTimeOffset;

    private protected override DbType MoneyType => DbType.Decimal;

    /// <summary>Connects with <paramref name="connectionString"/>, applies pending migrations and returns the store.</summary>
    public static async Task<PostgreSqlControllerStore> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"Cannot open the controller store: Controller:Store:ConnectionString is not a valid PostgreSQL connection string ({ex.Message}).", ex);
        }

        string description = Describe(builder);

        // A store that cannot reach its server fails fast at start rather than after a long default wait.
        if (!builder.ContainsKey("Timeout"))
        {
            builder.Timeout = 10;
        }

        NpgsqlDataSource dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        var store = new PostgreSqlControllerStore(dataSource, description);
        try
        {
            await store.MigrateAsync(cancellationToken);
            return store;
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresException or TimeoutException)
        {
            await store.DisposeAsync();
            throw new InvalidOperationException($"Cannot open the controller store '{description}': {ex.Message.TrimEnd('.')}. Check Controller:Store:ConnectionString (host, port, database, user, password) and that the server is running.", ex);
        }
    }

    /// <summary>The connection string's server, port, database and user, never its password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string user = string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@";
        return $"postgresql://{user}{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private protected override async Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await work(connection);
    }

    /// <summary>An instant as timestamptz wants it: UTC, offset zero (PostgreSQL keeps microseconds).</summary>
    private protected override object Instant(DateTimeOffset t) => t.ToUniversalTime();

    private protected override DateTimeOffset ReadInstant(DbDataReader r, int ordinal) => r.GetFieldValue<DateTimeOffset>(ordinal);

    private protected override object Money(decimal amount) => amount;

    private protected override decimal ReadMoney(DbDataReader r, int ordinal) => r.GetDecimal(ordinal);

    private protected override async ValueTask DisposeCoreAsync() => await _dataSource.DisposeAsync();

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);

        // Session lock: a second controller starting at the same moment waits here, then finds every step applied.
        await using (NpgsqlCommand lockCmd = new("SELECT pg_advisory_lock(@k);", connection))
        {
            lockCmd.Parameters.AddWithValue("k", MigrationLockKey);
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await MigrateAsync(
                connection,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL);",
                PostgreSqlMigrations.All.Select(m => (m.Version, m.Name, m.Sql)),
                cancellationToken);
        }
        finally
        {
            await using NpgsqlCommand unlock = new("SELECT pg_advisory_unlock(@k);", connection);
            unlock.Parameters.AddWithValue("k", MigrationLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
