using CloudMining.Farm.Controller.Ledger;
using Npgsql;
using NpgsqlTypes;

namespace CloudMining.Farm.Controller.Store;

// Curtailment (migrations 8 and 11): the hourly curtailment ledger per assignee, its open hours, and the operator's signals.
public sealed partial class PostgreSqlControllerStore : ICurtailmentStore
{
    public Task<IReadOnlyList<CurtailmentLedgerRow>> LoadOpenCurtailmentAsync(CancellationToken cancellationToken) =>
        ReadAsync<CurtailmentLedgerRow, IReadOnlyList<CurtailmentLedgerRow>>(
            "SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger_open ORDER BY hour, assignee COLLATE \"C\";",
            _ => { },
            ReadCurtailmentRow,
            list => list,
            cancellationToken);

    public Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailedHoursSinceAsync(DateTimeOffset from, CancellationToken cancellationToken) =>
        ReadAsync<CurtailmentLedgerRow, IReadOnlyList<CurtailmentLedgerRow>>(
            "SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger WHERE hour >= @from AND curtailed_hours > 0 AND assignee <> 'house' ORDER BY hour, assignee COLLATE \"C\";",
            p => p.AddWithValue("from", Instant(from)),
            ReadCurtailmentRow,
            list => list,
            cancellationToken);

    public Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailmentLedgerAsync(string assignee, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(assignee);
        return ReadAsync<CurtailmentLedgerRow, IReadOnlyList<CurtailmentLedgerRow>>(
            "SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger WHERE assignee = @a AND hour >= @from AND hour < @to ORDER BY hour;",
            p =>
            {
                p.AddWithValue("a", assignee);
                p.AddWithValue("from", Instant(from));
                p.AddWithValue("to", Instant(to));
            },
            ReadCurtailmentRow,
            list => list,
            cancellationToken);
    }

    public async Task CloseCurtailmentHoursAsync(IReadOnlyList<CurtailmentLedgerRow> completed, IReadOnlyList<CurtailmentLedgerRow> stillOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(stillOpen);
        await InTransactionAsync(
            async (connection, tx) =>
            {
                // A closed hour written again replaces its row (the SQLite store's INSERT OR REPLACE).
                await InsertCurtailmentAsync(
                    connection,
                    tx,
                    """
                    INSERT INTO curtailment_ledger (assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours) VALUES (@a, @h, @t, @k, @c)
                    ON CONFLICT (assignee, hour) DO UPDATE SET curtailed_thh = EXCLUDED.curtailed_thh, avoided_kwh = EXCLUDED.avoided_kwh, curtailed_hours = EXCLUDED.curtailed_hours;
                    """,
                    completed,
                    cancellationToken);
                await ExecuteAsync(connection, tx, "DELETE FROM curtailment_ledger_open;", cancellationToken);
                await InsertCurtailmentAsync(
                    connection,
                    tx,
                    "INSERT INTO curtailment_ledger_open (assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours) VALUES (@a, @h, @t, @k, @c);",
                    stillOpen,
                    cancellationToken);
            },
            cancellationToken);
    }

    public async Task<string?> GetOperatorSignalsAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand cmd = Command(connection, null, "SELECT signals_json FROM curtailment_signals WHERE id = 1;");
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    public Task SetOperatorSignalsAsync(string? json, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = json is null
                    ? Command(connection, tx, "DELETE FROM curtailment_signals;")
                    : Command(connection, tx, "INSERT INTO curtailment_signals (id, signals_json) VALUES (1, @j) ON CONFLICT (id) DO UPDATE SET signals_json = EXCLUDED.signals_json;");
                if (json is not null)
                {
                    cmd.Parameters.AddWithValue("j", json);
                }

                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);

    private static CurtailmentLedgerRow ReadCurtailmentRow(NpgsqlDataReader r) =>
        new(r.GetString(0), ReadInstant(r, 1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4));

    private static async Task InsertCurtailmentAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, IReadOnlyList<CurtailmentLedgerRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using NpgsqlCommand insert = Command(connection, tx, sql);
        NpgsqlParameter a = insert.Parameters.Add("a", NpgsqlDbType.Text);
        NpgsqlParameter h = insert.Parameters.Add("h", NpgsqlDbType.TimestampTz);
        NpgsqlParameter t = insert.Parameters.Add("t", NpgsqlDbType.Double);
        NpgsqlParameter k = insert.Parameters.Add("k", NpgsqlDbType.Double);
        NpgsqlParameter c = insert.Parameters.Add("c", NpgsqlDbType.Double);
        foreach (CurtailmentLedgerRow row in rows)
        {
            a.Value = row.Assignee;
            h.Value = Instant(row.Hour);
            t.Value = row.CurtailedTerahashHours;
            k.Value = row.AvoidedKilowattHours;
            c.Value = row.CurtailedHours;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
