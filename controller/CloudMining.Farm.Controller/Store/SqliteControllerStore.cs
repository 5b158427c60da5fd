using System.Globalization;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Shared.Units;
using Microsoft.Data.Sqlite;

namespace CloudMining.Farm.Controller.Store;

/// <summary>The controller store in one SQLite file: WAL journal, full fsync on commit, ordered migrations, one transaction per write.</summary>
public sealed partial class SqliteControllerStore : IControllerStore
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SqliteControllerStore(SqliteConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Path of the database file.</summary>
    public string Path => _connection.DataSource;

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
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;", cancellationToken);
            var store = new SqliteControllerStore(connection);
            await store.MigrateAsync(cancellationToken);
            return store;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException($"Cannot open the controller store '{path}': {ex.Message.TrimEnd('.')}. Check the path, its permissions and free disk space.", ex);
        }
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await SchemaVersionAsync(null, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task UpsertContractAsync(Contract contract, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        await InTransactionAsync(
            async tx =>
            {
                using SqliteCommand cmd = Command(tx, """
                    INSERT OR REPLACE INTO contracts
                        (id, customer, target_hs, pool_url, pool_worker, term_kind, term_start, term_end, negative_margin_days, maintenance_per_th_day, electricity_at_cost, curtail_allowance_hours, curtail_period)
                    VALUES ($id, $customer, $target, $url, $worker, $kind, $start, $end, $days, $fee, $elec, $curtailHours, $curtailPeriod);
                    """);
                cmd.Parameters.AddWithValue("$id", contract.Id);
                cmd.Parameters.AddWithValue("$customer", contract.Customer);
                cmd.Parameters.AddWithValue("$target", contract.Target.HashesPerSecond);
                cmd.Parameters.AddWithValue("$url", contract.Pool.Url);
                cmd.Parameters.AddWithValue("$worker", contract.Pool.Worker);
                cmd.Parameters.AddWithValue("$kind", (int)contract.Term.Kind);
                cmd.Parameters.AddWithValue("$start", Instant(contract.Term.Start));
                cmd.Parameters.AddWithValue("$end", contract.Term.End is { } end ? Instant(end) : DBNull.Value);
                cmd.Parameters.AddWithValue("$days", contract.Term.NegativeMarginDays is { } d ? d : DBNull.Value);
                cmd.Parameters.AddWithValue("$fee", contract.Fees.MaintenancePerTerahashDay.ToString(CultureInfo.InvariantCulture));
                cmd.Parameters.AddWithValue("$elec", contract.Fees.ElectricityAtCost ? 1 : 0);
                cmd.Parameters.AddWithValue("$curtailHours", contract.Curtailment.Curtailable ? contract.Curtailment.AllowanceHours : DBNull.Value);
                cmd.Parameters.AddWithValue("$curtailPeriod", contract.Curtailment.Curtailable ? CurtailmentTerms.Name(contract.Curtailment.Period) : DBNull.Value);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<bool> DeleteContractAsync(string contractId, CancellationToken cancellationToken)
    {
        bool deleted = false;
        await InTransactionAsync(
            async tx =>
            {
                using SqliteCommand shares = Command(tx, "DELETE FROM allocation_shares WHERE assignee = $id;");
                shares.Parameters.AddWithValue("$id", contractId);
                await shares.ExecuteNonQueryAsync(cancellationToken);
                using SqliteCommand cmd = Command(tx, "DELETE FROM contracts WHERE id = $id;");
                cmd.Parameters.AddWithValue("$id", contractId);
                deleted = await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
            },
            cancellationToken);
        return deleted;
    }

    public async Task<IReadOnlyList<Contract>> GetContractsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, """
                SELECT id, customer, target_hs, pool_url, pool_worker, term_kind, term_start, term_end, negative_margin_days, maintenance_per_th_day, electricity_at_cost, curtail_allowance_hours, curtail_period
                FROM contracts ORDER BY id;
                """);
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var list = new List<Contract>();
            while (await r.ReadAsync(cancellationToken))
            {
                string id = r.GetString(0);
                try
                {
                    // Rows pass the same validation as fresh input, so a hand-edited database cannot smuggle in a bad contract.
                    ContractTerm term = (ContractTermKind)r.GetInt32(5) == ContractTermKind.FixedTerm
                        ? ContractTerm.Fixed(ParseInstant(r.GetString(6)), ParseInstant(r.GetString(7)))
                        : ContractTerm.OpenEnded(ParseInstant(r.GetString(6)), r.GetInt32(8));
                    list.Add(Contract.Create(
                        id,
                        r.GetString(1),
                        new Hashrate(r.GetDouble(2)),
                        PoolAccount.Create(r.GetString(3), r.GetString(4)),
                        term,
                        FeeTerms.Create(decimal.Parse(r.GetString(9), CultureInfo.InvariantCulture), r.GetInt32(10) != 0),
                        r.IsDBNull(11) ? CurtailmentTerms.Protected : CurtailmentTerms.Allow(r.GetDouble(11), CurtailmentTerms.ParsePeriod(r.IsDBNull(12) ? null : r.GetString(12)))));
                }
                catch (ContractValidationException ex)
                {
                    throw new InvalidDataException($"Contract '{id}' in '{Path}' is invalid ({ex.Message}); fix or delete the row.", ex);
                }
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SaveAllocationAsync(long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        await InTransactionAsync(
            async tx =>
            {
                await ExecuteAsync(_connection, tx, "DELETE FROM allocation_shares;", cancellationToken);
                using SqliteCommand insert = Command(tx, "INSERT INTO allocation_shares (miner_id, assignee, fraction) VALUES ($m, $a, $f);");
                SqliteParameter m = insert.Parameters.Add("$m", SqliteType.Text);
                SqliteParameter a = insert.Parameters.Add("$a", SqliteType.Text);
                SqliteParameter f = insert.Parameters.Add("$f", SqliteType.Real);
                foreach (KeyValuePair<string, IReadOnlyList<PoolShare>> pair in assignments)
                {
                    foreach (PoolShare s in pair.Value)
                    {
                        m.Value = pair.Key;
                        a.Value = s.Assignee;
                        f.Value = s.Fraction;
                        await insert.ExecuteNonQueryAsync(cancellationToken);
                    }
                }

                using SqliteCommand v = Command(tx, "INSERT OR REPLACE INTO allocation_version (id, version) VALUES (1, $v);");
                v.Parameters.AddWithValue("$v", version);
                await v.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<(long Version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> Assignments)> LoadAllocationAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand v = Command(null, "SELECT version FROM allocation_version WHERE id = 1;");
            long version = await v.ExecuteScalarAsync(cancellationToken) is long l ? l : 0;
            using SqliteCommand cmd = Command(null, "SELECT miner_id, assignee, fraction FROM allocation_shares ORDER BY miner_id, assignee;");
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var map = new Dictionary<string, List<PoolShare>>(StringComparer.Ordinal);
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

            var result = new Dictionary<string, IReadOnlyList<PoolShare>>(map.Count, StringComparer.Ordinal);
            foreach (KeyValuePair<string, List<PoolShare>> pair in map)
            {
                result[pair.Key] = pair.Value;
            }

            return (version, result);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task AppendLedgerAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await InTransactionAsync(tx => InsertLedgerAsync(tx, entries, cancellationToken), cancellationToken);
    }

    public async Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, """
                SELECT contract_id, hour, target_thh, delivered_thh, shortfall_thh, energy_kwh, maintenance_fee, electricity_cost
                FROM ledger WHERE contract_id = $c AND hour >= $from AND hour < $to ORDER BY hour;
                """);
            cmd.Parameters.AddWithValue("$c", contractId);
            cmd.Parameters.AddWithValue("$from", Instant(from));
            cmd.Parameters.AddWithValue("$to", Instant(to));
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var list = new List<LedgerEntry>();
            while (await r.ReadAsync(cancellationToken))
            {
                list.Add(new LedgerEntry(
                    r.GetString(0),
                    ParseInstant(r.GetString(1)),
                    r.GetDouble(2),
                    r.GetDouble(3),
                    r.GetDouble(4),
                    r.GetDouble(5),
                    decimal.Parse(r.GetString(6), CultureInfo.InvariantCulture),
                    decimal.Parse(r.GetString(7), CultureInfo.InvariantCulture)));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _gate.Dispose();
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync(_connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);", cancellationToken);
        int applied = await SchemaVersionAsync(null, cancellationToken);
        foreach (SqliteMigration migration in SqliteMigrations.All)
        {
            if (migration.Version <= applied)
            {
                continue;
            }

            // Each step and its record commit together, so a crash mid-migration reruns the step instead of skipping it.
            using SqliteTransaction tx = _connection.BeginTransaction();
            await ExecuteAsync(_connection, tx, migration.Sql, cancellationToken);
            using SqliteCommand record = Command(tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t);");
            record.Parameters.AddWithValue("$v", migration.Version);
            record.Parameters.AddWithValue("$n", migration.Name);
            record.Parameters.AddWithValue("$t", Instant(DateTimeOffset.UtcNow));
            await record.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
    }

    private async Task<int> SchemaVersionAsync(SqliteTransaction? tx, CancellationToken cancellationToken)
    {
        using SqliteCommand cmd = Command(tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;");
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private async Task InTransactionAsync(Func<SqliteTransaction, Task> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteTransaction tx = _connection.BeginTransaction();
            await work(tx);
            await tx.CommitAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteCommand Command(SqliteTransaction? tx, string sql)
    {
        SqliteCommand cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
#pragma warning disable CA2100 // SQL text is constant; values travel as parameters
        cmd.CommandText = sql;
#pragma warning restore CA2100
        return cmd;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.Transaction = tx;
#pragma warning disable CA2100 // SQL text is constant
        cmd.CommandText = sql;
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Instant(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseInstant(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
