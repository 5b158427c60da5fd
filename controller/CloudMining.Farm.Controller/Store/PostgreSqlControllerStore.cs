using System.Data.Common;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Shared.Units;
using Npgsql;
using NpgsqlTypes;

namespace CloudMining.Farm.Controller.Store;

/// <summary>
/// The controller store on a PostgreSQL server: the same tables and migrations as <see cref="SqliteControllerStore"/>
/// (twins in <see cref="PostgreSqlMigrations"/>), one transaction per write, pooled connections. Several controllers
/// may open the same database (a leader and a standby): migrations run under an advisory lock, so they apply once.
/// </summary>
public sealed partial class PostgreSqlControllerStore : IControllerStore
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

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await SchemaVersionAsync(connection, cancellationToken);
    }

    public async Task UpsertContractAsync(Contract contract, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        await InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = Command(connection, tx, """
                    INSERT INTO contracts
                        (id, customer, target_hs, pool_url, pool_worker, term_kind, term_start, term_end, negative_margin_days, maintenance_per_th_day, electricity_at_cost, curtail_allowance_hours, curtail_period)
                    VALUES (@id, @customer, @target, @url, @worker, @kind, @start, @end, @days, @fee, @elec, @curtailHours, @curtailPeriod)
                    ON CONFLICT (id) DO UPDATE SET
                        customer = EXCLUDED.customer, target_hs = EXCLUDED.target_hs, pool_url = EXCLUDED.pool_url, pool_worker = EXCLUDED.pool_worker,
                        term_kind = EXCLUDED.term_kind, term_start = EXCLUDED.term_start, term_end = EXCLUDED.term_end,
                        negative_margin_days = EXCLUDED.negative_margin_days, maintenance_per_th_day = EXCLUDED.maintenance_per_th_day,
                        electricity_at_cost = EXCLUDED.electricity_at_cost, curtail_allowance_hours = EXCLUDED.curtail_allowance_hours,
                        curtail_period = EXCLUDED.curtail_period;
                    """);
                cmd.Parameters.AddWithValue("id", contract.Id);
                cmd.Parameters.AddWithValue("customer", contract.Customer);
                cmd.Parameters.AddWithValue("target", contract.Target.HashesPerSecond);
                cmd.Parameters.AddWithValue("url", contract.Pool.Url);
                cmd.Parameters.AddWithValue("worker", contract.Pool.Worker);
                cmd.Parameters.AddWithValue("kind", (int)contract.Term.Kind);
                cmd.Parameters.AddWithValue("start", Instant(contract.Term.Start));
                cmd.Parameters.Add(Nullable("end", NpgsqlDbType.TimestampTz, contract.Term.End is { } end ? Instant(end) : null));
                cmd.Parameters.Add(Nullable("days", NpgsqlDbType.Integer, contract.Term.NegativeMarginDays));
                cmd.Parameters.AddWithValue("fee", contract.Fees.MaintenancePerTerahashDay);
                cmd.Parameters.AddWithValue("elec", contract.Fees.ElectricityAtCost ? 1 : 0);
                cmd.Parameters.Add(Nullable("curtailHours", NpgsqlDbType.Double, contract.Curtailment.Curtailable ? contract.Curtailment.AllowanceHours : null));
                cmd.Parameters.Add(Nullable("curtailPeriod", NpgsqlDbType.Text, contract.Curtailment.Curtailable ? CurtailmentTerms.Name(contract.Curtailment.Period) : null));
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<bool> DeleteContractAsync(string contractId, CancellationToken cancellationToken)
    {
        bool deleted = false;
        await InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand shares = Command(connection, tx, "DELETE FROM allocation_shares WHERE assignee = @id;");
                shares.Parameters.AddWithValue("id", contractId);
                await shares.ExecuteNonQueryAsync(cancellationToken);
                await using NpgsqlCommand cmd = Command(connection, tx, "DELETE FROM contracts WHERE id = @id;");
                cmd.Parameters.AddWithValue("id", contractId);
                deleted = await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
            },
            cancellationToken);
        return deleted;
    }

    public Task<IReadOnlyList<Contract>> GetContractsAsync(CancellationToken cancellationToken) =>
        ReadAsync<Contract, IReadOnlyList<Contract>>(
            """
            SELECT id, customer, target_hs, pool_url, pool_worker, term_kind, term_start, term_end, negative_margin_days, maintenance_per_th_day, electricity_at_cost, curtail_allowance_hours, curtail_period
            FROM contracts ORDER BY id COLLATE "C";
            """,
            _ => { },
            r =>
            {
                string id = r.GetString(0);
                try
                {
                    // Rows pass the same validation as fresh input, so a hand-edited database cannot smuggle in a bad contract.
                    ContractTerm term = (ContractTermKind)r.GetInt32(5) == ContractTermKind.FixedTerm
                        ? ContractTerm.Fixed(ReadInstant(r, 6), ReadInstant(r, 7))
                        : ContractTerm.OpenEnded(ReadInstant(r, 6), r.GetInt32(8));
                    return Contract.Create(
                        id,
                        r.GetString(1),
                        new Hashrate(r.GetDouble(2)),
                        PoolAccount.Create(r.GetString(3), r.GetString(4)),
                        term,
                        FeeTerms.Create(r.GetDecimal(9), r.GetInt32(10) != 0),
                        r.IsDBNull(11) ? CurtailmentTerms.Protected : CurtailmentTerms.Allow(r.GetDouble(11), CurtailmentTerms.ParsePeriod(r.IsDBNull(12) ? null : r.GetString(12))));
                }
                catch (ContractValidationException ex)
                {
                    throw new InvalidDataException($"Contract '{id}' in '{Description}' is invalid ({ex.Message}); fix or delete the row.", ex);
                }
            },
            list => list,
            cancellationToken);

    public async Task SaveAllocationAsync(long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        await InTransactionAsync(
            async (connection, tx) =>
            {
                await ExecuteAsync(connection, tx, "DELETE FROM allocation_shares;", cancellationToken);
                var batch = new NpgsqlBatch(connection, tx);
                await using (batch)
                {
                    foreach (KeyValuePair<string, IReadOnlyList<PoolShare>> pair in assignments)
                    {
                        foreach (PoolShare s in pair.Value)
                        {
                            var insert = new NpgsqlBatchCommand("INSERT INTO allocation_shares (miner_id, assignee, fraction) VALUES ($1, $2, $3);");
                            insert.Parameters.Add(new NpgsqlParameter { Value = pair.Key, NpgsqlDbType = NpgsqlDbType.Text });
                            insert.Parameters.Add(new NpgsqlParameter { Value = s.Assignee, NpgsqlDbType = NpgsqlDbType.Text });
                            insert.Parameters.Add(new NpgsqlParameter { Value = s.Fraction, NpgsqlDbType = NpgsqlDbType.Double });
                            batch.BatchCommands.Add(insert);
                        }
                    }

                    var v = new NpgsqlBatchCommand("INSERT INTO allocation_version (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;");
                    v.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint });
                    batch.BatchCommands.Add(v);
                    await batch.ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }

    public async Task<(long Version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> Assignments)> LoadAllocationAsync(CancellationToken cancellationToken)
    {
        // One snapshot for the version and the shares, so a save committing in between cannot mix them.
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using NpgsqlCommand v = Command(connection, tx, "SELECT version FROM allocation_version WHERE id = 1;");
        long version = await v.ExecuteScalarAsync(cancellationToken) is long l ? l : 0;
        await using NpgsqlCommand cmd = Command(connection, tx, "SELECT miner_id, assignee, fraction FROM allocation_shares ORDER BY miner_id COLLATE \"C\", assignee COLLATE \"C\";");
        var map = new Dictionary<string, List<PoolShare>>(StringComparer.Ordinal);
        await using (NpgsqlDataReader r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                string miner = r.GetString(0);
                if (!map.TryGetValue(miner, out List<PoolShare>? list))
                {
                    list = [];
                    map[miner] = list;
                }

                list.Add(new PoolShare(r.GetString(1), r.GetDouble(2)));
            }
        }

        await tx.CommitAsync(cancellationToken);
        var result = new Dictionary<string, IReadOnlyList<PoolShare>>(map.Count, StringComparer.Ordinal);
        foreach (KeyValuePair<string, List<PoolShare>> pair in map)
        {
            result[pair.Key] = pair.Value;
        }

        return (version, result);
    }

    public async Task AppendLedgerAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await InTransactionAsync((connection, tx) => InsertLedgerAsync(connection, tx, entries, cancellationToken), cancellationToken);
    }

    public Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync<LedgerEntry, IReadOnlyList<LedgerEntry>>(
            """
            SELECT contract_id, hour, target_thh, delivered_thh, shortfall_thh, energy_kwh, maintenance_fee, electricity_cost
            FROM ledger WHERE contract_id = @c AND hour >= @from AND hour < @to ORDER BY hour;
            """,
            p =>
            {
                p.AddWithValue("c", contractId);
                p.AddWithValue("from", Instant(from));
                p.AddWithValue("to", Instant(to));
            },
            r => new LedgerEntry(
                r.GetString(0),
                ReadInstant(r, 1),
                r.GetDouble(2),
                r.GetDouble(3),
                r.GetDouble(4),
                r.GetDouble(5),
                r.GetDecimal(6),
                r.GetDecimal(7)),
            list => list,
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);

        // Session lock: a second controller starting at the same moment waits here, then finds every step applied.
        await using (NpgsqlCommand lockCmd = Command(connection, null, "SELECT pg_advisory_lock(@k);"))
        {
            lockCmd.Parameters.AddWithValue("k", MigrationLockKey);
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL);", cancellationToken);
            int applied = await SchemaVersionAsync(connection, cancellationToken);
            foreach (PostgreSqlMigration migration in PostgreSqlMigrations.All)
            {
                if (migration.Version <= applied)
                {
                    continue;
                }

                // Each step and its record commit together (PostgreSQL DDL is transactional), so a crash mid-migration reruns the step.
                await using NpgsqlTransaction tx = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, tx, migration.Sql, cancellationToken);
                await using NpgsqlCommand record = Command(connection, tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, now());");
                record.Parameters.AddWithValue("v", migration.Version);
                record.Parameters.AddWithValue("n", migration.Name);
                await record.ExecuteNonQueryAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await using NpgsqlCommand unlock = Command(connection, null, "SELECT pg_advisory_unlock(@k);");
            unlock.Parameters.AddWithValue("k", MigrationLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<int> SchemaVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand cmd = Command(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;");
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task InTransactionAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction tx = await connection.BeginTransactionAsync(cancellationToken);
        await work(connection, tx);
        await tx.CommitAsync(cancellationToken);
    }

    private async Task<TResult> ReadAsync<TRow, TResult>(string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, TRow> map, Func<List<TRow>, TResult> result, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand cmd = Command(connection, null, sql);
        bind(cmd.Parameters);
        await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
        var rows = new List<TRow>();
        while (await r.ReadAsync(cancellationToken))
        {
            rows.Add(map(r));
        }

        return result(rows);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql)
    {
#pragma warning disable CA2100 // SQL text is constant; values travel as parameters
        return new NpgsqlCommand(sql, connection, tx);
#pragma warning restore CA2100
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand cmd = Command(connection, tx, sql);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    /// <summary>An instant as timestamptz wants it: UTC, offset zero (PostgreSQL keeps microseconds).</summary>
    private static DateTimeOffset Instant(DateTimeOffset t) => t.ToUniversalTime();

    private static DateTimeOffset ReadInstant(DbDataReader r, int ordinal) => r.GetFieldValue<DateTimeOffset>(ordinal);
}
