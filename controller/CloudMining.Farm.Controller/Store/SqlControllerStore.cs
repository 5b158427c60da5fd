using System.Data;
using System.Data.Common;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Store;

/// <summary>
/// The controller store's SQL and row mapping, written once on ADO.NET (<see cref="DbConnection"/>,
/// <see cref="DbDataReader"/>) for both databases: <see cref="SqliteControllerStore"/> and
/// <see cref="PostgreSqlControllerStore"/> say only where they differ — how a connection is had, how an instant and a
/// money amount are stored, how text sorts, and how the schema is opened and migrated. Statements name their
/// parameters <c>@name</c> (both providers bind <c>@name</c> to a parameter named <c>name</c>) and upsert with
/// <c>INSERT … ON CONFLICT</c>, which both databases read alike.
/// </summary>
public abstract partial class SqlControllerStore : IControllerStore
{
    private protected SqlControllerStore()
    {
    }

    /// <summary>Where the store is, for error messages: the SQLite path, or the PostgreSQL server and database without the password.</summary>
    private protected abstract string Location { get; }

    /// <summary>The collation that sorts text by its bytes, as ids are compared everywhere else (<c>COLLATE BINARY</c> / <c>COLLATE "C"</c>).</summary>
    private protected abstract string ByteOrder { get; }

    /// <summary>How an instant is stored (ISO-8601 text on SQLite, timestamptz on PostgreSQL).</summary>
    private protected abstract DbType InstantType { get; }

    /// <summary>How a money amount is stored (decimal text on SQLite, numeric on PostgreSQL).</summary>
    private protected abstract DbType MoneyType { get; }

    /// <summary>Runs <paramref name="work"/> on a connection: the store's one under its lock (SQLite), or a pooled one (PostgreSQL).</summary>
    private protected abstract Task<T> WithConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>An instant as <see cref="InstantType"/> stores it.</summary>
    private protected abstract object Instant(DateTimeOffset t);

    private protected abstract DateTimeOffset ReadInstant(DbDataReader r, int ordinal);

    /// <summary>A money amount as <see cref="MoneyType"/> stores it.</summary>
    private protected abstract object Money(decimal amount);

    private protected abstract decimal ReadMoney(DbDataReader r, int ordinal);

    /// <summary>Releases the connection (SQLite) or the pool (PostgreSQL).</summary>
    private protected abstract ValueTask DisposeCoreAsync();

    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(c => SchemaVersionAsync(c, cancellationToken), cancellationToken);

    public Task UpsertContractAsync(Contract contract, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return ExecuteAsync(
            """
            INSERT INTO contracts
                (id, customer, target_hs, pool_url, pool_worker, term_kind, term_start, term_end, negative_margin_days, maintenance_per_th_day, electricity_at_cost, curtail_allowance_hours, curtail_period)
            VALUES (@id, @customer, @target, @url, @worker, @kind, @start, @end, @days, @fee, @elec, @curtailHours, @curtailPeriod)
            ON CONFLICT (id) DO UPDATE SET
                customer = excluded.customer, target_hs = excluded.target_hs, pool_url = excluded.pool_url, pool_worker = excluded.pool_worker,
                term_kind = excluded.term_kind, term_start = excluded.term_start, term_end = excluded.term_end,
                negative_margin_days = excluded.negative_margin_days, maintenance_per_th_day = excluded.maintenance_per_th_day,
                electricity_at_cost = excluded.electricity_at_cost, curtail_allowance_hours = excluded.curtail_allowance_hours,
                curtail_period = excluded.curtail_period;
            """,
            p => p.Add("id", contract.Id)
                .Add("customer", contract.Customer)
                .Add("target", contract.Target.HashesPerSecond)
                .Add("url", contract.Pool.Url)
                .Add("worker", contract.Pool.Worker)
                .Add("kind", (int)contract.Term.Kind)
                .Instant("start", contract.Term.Start)
                .Instant("end", contract.Term.End)
                .Add("days", contract.Term.NegativeMarginDays, DbType.Int32)
                .Money("fee", contract.Fees.MaintenancePerTerahashDay)
                .Add("elec", contract.Fees.ElectricityAtCost ? 1 : 0)
                .Add("curtailHours", contract.Curtailment.Curtailable ? contract.Curtailment.AllowanceHours : null, DbType.Double)
                .Add("curtailPeriod", contract.Curtailment.Curtailable ? CurtailmentTerms.Name(contract.Curtailment.Period) : null, DbType.String),
            cancellationToken);
    }

    public async Task<bool> DeleteContractAsync(string contractId, CancellationToken cancellationToken)
    {
        int deleted = 0;
        await InTransactionAsync(
            async (c, tx) =>
            {
                await ExecuteAsync(c, tx, "DELETE FROM allocation_shares WHERE assignee = @id;", p => p.Add("id", contractId), cancellationToken);
                deleted = await ExecuteAsync(c, tx, "DELETE FROM contracts WHERE id = @id;", p => p.Add("id", contractId), cancellationToken);
            },
            cancellationToken);
        return deleted > 0;
    }

    public async Task<IReadOnlyList<Contract>> GetContractsAsync(CancellationToken cancellationToken) =>
        await ReadAsync(
            $"""
            SELECT id, customer, target_hs, pool_url, pool_worker, term_kind, term_start, term_end, negative_margin_days, maintenance_per_th_day, electricity_at_cost, curtail_allowance_hours, curtail_period
            FROM contracts ORDER BY id {ByteOrder};
            """,
            null,
            ReadContract,
            cancellationToken);

    public Task SaveAllocationAsync(long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        return InTransactionAsync(
            async (c, tx) =>
            {
                await ExecuteAsync(c, tx, "DELETE FROM allocation_shares;", null, cancellationToken);
                await ExecuteEachAsync(
                    c,
                    tx,
                    "INSERT INTO allocation_shares (miner_id, assignee, fraction) VALUES (@m, @a, @f);",
                    assignments.SelectMany(pair => pair.Value.Select(share => (Miner: pair.Key, Share: share))),
                    (p, row) => p.Add("m", row.Miner).Add("a", row.Share.Assignee).Add("f", row.Share.Fraction),
                    cancellationToken);
                await ExecuteAsync(
                    c,
                    tx,
                    "INSERT INTO allocation_version (id, version) VALUES (1, @v) ON CONFLICT (id) DO UPDATE SET version = excluded.version;",
                    p => p.Add("v", version),
                    cancellationToken);
            },
            cancellationToken);
    }

    public Task<(long Version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> Assignments)> LoadAllocationAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<(long, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>>)>(
            async c =>
            {
                // One snapshot for the version and the shares, so a save committing in between cannot mix them.
                await using DbTransaction tx = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
                await using DbCommand v = Command(c, tx, "SELECT version FROM allocation_version WHERE id = 1;");
                long version = await v.ExecuteScalarAsync(cancellationToken) is long l ? l : 0;
                await using DbCommand cmd = Command(c, tx, $"SELECT miner_id, assignee, fraction FROM allocation_shares ORDER BY miner_id {ByteOrder}, assignee {ByteOrder};");
                var map = new Dictionary<string, List<PoolShare>>(StringComparer.Ordinal);
                await using (DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken))
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
                return (version, map.ToDictionary(p => p.Key, p => (IReadOnlyList<PoolShare>)p.Value, StringComparer.Ordinal));
            },
            cancellationToken);

    public Task AppendLedgerAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return InTransactionAsync((c, tx) => InsertLedgerAsync(c, tx, entries, cancellationToken), cancellationToken);
    }

    public async Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await ReadAsync(
            """
            SELECT contract_id, hour, target_thh, delivered_thh, shortfall_thh, energy_kwh, maintenance_fee, electricity_cost
            FROM ledger WHERE contract_id = @c AND hour >= @from AND hour < @to ORDER BY hour;
            """,
            p => p.Add("c", contractId).Instant("from", from).Instant("to", to),
            r => new LedgerEntry(r.GetString(0), ReadInstant(r, 1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), ReadMoney(r, 6), ReadMoney(r, 7)),
            cancellationToken);

    /// <summary>Applies the steps above the recorded schema version on <paramref name="c"/>, each in its own transaction with its record.</summary>
    private protected async Task MigrateAsync(DbConnection c, string createSchemaMigrations, IEnumerable<(int Version, string Name, string Sql)> steps, CancellationToken cancellationToken)
    {
        await ExecuteAsync(c, null, createSchemaMigrations, null, cancellationToken);
        int applied = await SchemaVersionAsync(c, cancellationToken);
        foreach ((int version, string name, string sql) in steps)
        {
            if (version <= applied)
            {
                continue;
            }

            // Each step and its record commit together (DDL is transactional in both), so a crash mid-migration reruns the step instead of skipping it.
            await using DbTransaction tx = await c.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(c, tx, sql, null, cancellationToken);
            await ExecuteAsync(
                c,
                tx,
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t);",
                p => p.Add("v", version).Add("n", name).Instant("t", DateTimeOffset.UtcNow),
                cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
    }

    private protected static DbCommand Command(DbConnection c, DbTransaction? tx, string sql)
    {
        DbCommand cmd = c.CreateCommand();
        cmd.Transaction = tx;
#pragma warning disable CA2100 // SQL text is the store's own; values travel as parameters
        cmd.CommandText = sql;
#pragma warning restore CA2100
        return cmd;
    }

    /// <summary>Runs one statement; returns the rows it changed.</summary>
    private protected async Task<int> ExecuteAsync(DbConnection c, DbTransaction? tx, string sql, Action<Parameters>? bind, CancellationToken cancellationToken)
    {
        await using DbCommand cmd = Command(c, tx, sql);
        bind?.Invoke(new Parameters(this, cmd.Parameters, cmd.CreateParameter));
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs one statement in a transaction of its own.</summary>
    private Task ExecuteAsync(string sql, Action<Parameters> bind, CancellationToken cancellationToken) =>
        InTransactionAsync((c, tx) => ExecuteAsync(c, tx, sql, bind, cancellationToken), cancellationToken);

    /// <summary>Runs <paramref name="sql"/> once per row: as one batch where the provider has batches (PostgreSQL: one round trip), else one command re-bound per row.</summary>
    private async Task ExecuteEachAsync<T>(DbConnection c, DbTransaction tx, string sql, IEnumerable<T> rows, Action<Parameters, T> bind, CancellationToken cancellationToken)
    {
        if (c.CanCreateBatch)
        {
            await using DbBatch batch = c.CreateBatch();
            batch.Transaction = tx;
            foreach (T row in rows)
            {
                DbBatchCommand command = batch.CreateBatchCommand();
#pragma warning disable CA2100 // SQL text is the store's own; values travel as parameters
                command.CommandText = sql;
#pragma warning restore CA2100
                bind(new Parameters(this, command.Parameters, command.CreateParameter), row);
                batch.BatchCommands.Add(command);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            return;
        }

        await using DbCommand cmd = Command(c, tx, sql);
        foreach (T row in rows)
        {
            cmd.Parameters.Clear();
            bind(new Parameters(this, cmd.Parameters, cmd.CreateParameter), row);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns.</summary>
    private protected Task InTransactionAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async c =>
            {
                await using DbTransaction tx = await c.BeginTransactionAsync(cancellationToken);
                await work(c, tx);
                await tx.CommitAsync(cancellationToken);
                return true;
            },
            cancellationToken);

    /// <summary>Every row of a query, mapped by <paramref name="map"/>.</summary>
    private Task<List<TRow>> ReadAsync<TRow>(string sql, Action<Parameters>? bind, Func<DbDataReader, TRow> map, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async c =>
            {
                await using DbCommand cmd = Command(c, null, sql);
                bind?.Invoke(new Parameters(this, cmd.Parameters, cmd.CreateParameter));
                await using DbDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
                var rows = new List<TRow>();
                while (await r.ReadAsync(cancellationToken))
                {
                    rows.Add(map(r));
                }

                return rows;
            },
            cancellationToken);

    /// <summary>The first column of the first row, or null.</summary>
    private Task<object?> ScalarAsync(string sql, Action<Parameters>? bind, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async c =>
            {
                await using DbCommand cmd = Command(c, null, sql);
                bind?.Invoke(new Parameters(this, cmd.Parameters, cmd.CreateParameter));
                return await cmd.ExecuteScalarAsync(cancellationToken);
            },
            cancellationToken);

    private static async Task<int> SchemaVersionAsync(DbConnection c, CancellationToken cancellationToken)
    {
        await using DbCommand cmd = Command(c, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;");
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Contract ReadContract(DbDataReader r)
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
                FeeTerms.Create(ReadMoney(r, 9), r.GetInt32(10) != 0),
                r.IsDBNull(11) ? CurtailmentTerms.Protected : CurtailmentTerms.Allow(r.GetDouble(11), CurtailmentTerms.ParsePeriod(r.IsDBNull(12) ? null : r.GetString(12))));
        }
        catch (ContractValidationException ex)
        {
            throw new InvalidDataException($"Contract '{id}' in '{Location}' is invalid ({ex.Message}); fix or delete the row.", ex);
        }
    }

    private Task InsertLedgerAsync(DbConnection c, DbTransaction tx, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken) =>
        ExecuteEachAsync(
            c,
            tx,
            """
            INSERT INTO ledger (contract_id, hour, target_thh, delivered_thh, shortfall_thh, energy_kwh, maintenance_fee, electricity_cost)
            VALUES (@c, @h, @t, @d, @s, @e, @mf, @ec)
            ON CONFLICT (contract_id, hour) DO UPDATE SET
                target_thh = excluded.target_thh, delivered_thh = excluded.delivered_thh, shortfall_thh = excluded.shortfall_thh,
                energy_kwh = excluded.energy_kwh, maintenance_fee = excluded.maintenance_fee, electricity_cost = excluded.electricity_cost;
            """,
            entries,
            (p, e) => p.Add("c", e.ContractId)
                .Instant("h", e.Hour)
                .Add("t", e.TargetTerahashHours)
                .Add("d", e.DeliveredTerahashHours)
                .Add("s", e.ShortfallTerahashHours)
                .Add("e", e.EnergyKilowattHours)
                .Money("mf", e.MaintenanceFee)
                .Money("ec", e.ElectricityCost),
            cancellationToken);

    /// <summary>The parameters of one statement, each named without a prefix; instants and money go in as the dialect stores them.</summary>
    private protected sealed class Parameters
    {
        private readonly SqlControllerStore _store;
        private readonly DbParameterCollection _parameters;
        private readonly Func<DbParameter> _create;

        public Parameters(SqlControllerStore store, DbParameterCollection parameters, Func<DbParameter> create)
        {
            _store = store;
            _parameters = parameters;
            _create = create;
        }

        /// <summary>Adds <paramref name="value"/> (null: SQL NULL, typed by <paramref name="type"/> so PostgreSQL knows what it is).</summary>
        public Parameters Add(string name, object? value, DbType? type = null)
        {
            DbParameter p = _create();
            p.ParameterName = name;
            if (type is { } t)
            {
                p.DbType = t;
            }

            p.Value = value ?? DBNull.Value;
            _parameters.Add(p);
            return this;
        }

        public Parameters Instant(string name, DateTimeOffset? t) => Add(name, t is { } v ? _store.Instant(v) : null, _store.InstantType);

        public Parameters Money(string name, decimal amount) => Add(name, _store.Money(amount), _store.MoneyType);
    }
}
