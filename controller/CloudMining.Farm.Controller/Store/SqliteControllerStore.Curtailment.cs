using CloudMining.Farm.Controller.Ledger;
using Microsoft.Data.Sqlite;

namespace CloudMining.Farm.Controller.Store;

// Curtailment (migrations 8 and 11): the hourly curtailment ledger per assignee, its open hours, and the operator's signals.
public sealed partial class SqliteControllerStore : ICurtailmentStore
{
    public Task<IReadOnlyList<CurtailmentLedgerRow>> LoadOpenCurtailmentAsync(CancellationToken cancellationToken) =>
        ReadCurtailmentAsync("SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger_open ORDER BY hour, assignee;", null, cancellationToken);

    public Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailedHoursSinceAsync(DateTimeOffset from, CancellationToken cancellationToken) =>
        ReadCurtailmentAsync(
            "SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger WHERE hour >= $from AND curtailed_hours > 0 AND assignee <> 'house' ORDER BY hour, assignee;",
            cmd => cmd.Parameters.AddWithValue("$from", Instant(from)),
            cancellationToken);

    public Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailmentLedgerAsync(string assignee, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(assignee);
        return ReadCurtailmentAsync(
            "SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger WHERE assignee = $a AND hour >= $from AND hour < $to ORDER BY hour;",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$a", assignee);
                cmd.Parameters.AddWithValue("$from", Instant(from));
                cmd.Parameters.AddWithValue("$to", Instant(to));
            },
            cancellationToken);
    }

    public async Task CloseCurtailmentHoursAsync(IReadOnlyList<CurtailmentLedgerRow> completed, IReadOnlyList<CurtailmentLedgerRow> stillOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(stillOpen);
        await InTransactionAsync(
            async tx =>
            {
                await InsertCurtailmentAsync(tx, "INSERT OR REPLACE INTO curtailment_ledger", completed, cancellationToken);
                using (SqliteCommand clear = Command(tx, "DELETE FROM curtailment_ledger_open;"))
                {
                    await clear.ExecuteNonQueryAsync(cancellationToken);
                }

                await InsertCurtailmentAsync(tx, "INSERT INTO curtailment_ledger_open", stillOpen, cancellationToken);
            },
            cancellationToken);
    }

    public async Task<string?> GetOperatorSignalsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, "SELECT signals_json FROM curtailment_signals WHERE id = 1;");
            return await cmd.ExecuteScalarAsync(cancellationToken) as string;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetOperatorSignalsAsync(string? json, CancellationToken cancellationToken) =>
        await InTransactionAsync(
            async tx =>
            {
                using SqliteCommand cmd = json is null
                    ? Command(tx, "DELETE FROM curtailment_signals;")
                    : Command(tx, "INSERT OR REPLACE INTO curtailment_signals (id, signals_json) VALUES (1, $j);");
                if (json is not null)
                {
                    cmd.Parameters.AddWithValue("$j", json);
                }

                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);

    private async Task<IReadOnlyList<CurtailmentLedgerRow>> ReadCurtailmentAsync(string sql, Action<SqliteCommand>? bind, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, sql);
            bind?.Invoke(cmd);
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var list = new List<CurtailmentLedgerRow>();
            while (await r.ReadAsync(cancellationToken))
            {
                list.Add(new CurtailmentLedgerRow(r.GetString(0), ParseInstant(r.GetString(1)), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4)));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task InsertCurtailmentAsync(SqliteTransaction tx, string insertInto, IReadOnlyList<CurtailmentLedgerRow> rows, CancellationToken cancellationToken)
    {
        using SqliteCommand insert = Command(tx, insertInto + " (assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours) VALUES ($a, $h, $t, $k, $c);");
        SqliteParameter a = insert.Parameters.Add("$a", SqliteType.Text);
        SqliteParameter h = insert.Parameters.Add("$h", SqliteType.Text);
        SqliteParameter t = insert.Parameters.Add("$t", SqliteType.Real);
        SqliteParameter k = insert.Parameters.Add("$k", SqliteType.Real);
        SqliteParameter c = insert.Parameters.Add("$c", SqliteType.Real);
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
