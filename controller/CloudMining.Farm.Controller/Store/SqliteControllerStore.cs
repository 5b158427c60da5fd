using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CloudMining.Farm.Controller.Store;

/// <summary>
/// The controller store in one SQLite file: WAL journal, full fsync on commit, ordered migrations, one transaction per
/// write, one connection behind a lock. The SQL is <see cref="SqlControllerStore"/>'s; this class says how SQLite
/// differs: instants are ISO-8601 UTC text (which sorts as time does), money is decimal text.
/// </summary>
public sealed class SqliteControllerStore : SqlControllerStore
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SqliteControllerStore(SqliteConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Path of the database file.</summary>
    public string Path => _connection.DataSource;

    private protected override string Location => Path;

    private protected override string ByteOrder => "COLLATE BINARY";

    private protected override DbType InstantType => DbType.String;

    private protected override DbType MoneyType => DbType.String;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and applies pending migrations.</summary>
    public static async Task<SqliteControllerStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,

            // No pooling: disposing the store really closes the file, so a reopen reads what is on disk.
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);

            // WAL keeps readers off the writer's back; synchronous=FULL makes a committed transaction survive power loss.
            await using (DbCommand pragmas = Command(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"))
            {
                await pragmas.ExecuteNonQueryAsync(cancellationToken);
            }

            var store = new SqliteControllerStore(connection);
            await store.MigrateAsync(
                connection,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);",
                SqliteMigrations.All.Select(m => (m.Version, m.Name, m.Sql)),
                cancellationToken);
            return store;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException($"Cannot open the controller store '{path}': {ex.Message.TrimEnd('.')}. Check the path, its permissions and free disk space.", ex);
        }
    }

    private protected override async Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await work(_connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    private protected override object Instant(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private protected override DateTimeOffset ReadInstant(DbDataReader r, int ordinal) =>
        DateTimeOffset.Parse(r.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private protected override object Money(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    private protected override decimal ReadMoney(DbDataReader r, int ordinal) => decimal.Parse(r.GetString(ordinal), CultureInfo.InvariantCulture);

    private protected override async ValueTask DisposeCoreAsync()
    {
        await _connection.DisposeAsync();
        _gate.Dispose();
    }
}
