using CloudMining.Farm.Controller.Ledger;

namespace CloudMining.Farm.Controller.Store;

// Curtailment (migrations 8 and 11): the hourly curtailment ledger per assignee, its open hours, and the operator's signals.
public abstract partial class SqlControllerStore : ICurtailmentStore
{
    public async Task<IReadOnlyList<CurtailmentLedgerRow>> LoadOpenCurtailmentAsync(CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger_open ORDER BY hour, assignee {ByteOrder};",
            null,
            ReadCurtailmentRow,
            cancellationToken);

    public async Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailedHoursSinceAsync(DateTimeOffset from, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger WHERE hour >= @from AND curtailed_hours > 0 AND assignee <> 'house' ORDER BY hour, assignee {ByteOrder};",
            p => p.Instant("from", from),
            ReadCurtailmentRow,
            cancellationToken);

    public async Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailmentLedgerAsync(string assignee, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(assignee);
        return await ReadAsync(
            "SELECT assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours FROM curtailment_ledger WHERE assignee = @a AND hour >= @from AND hour < @to ORDER BY hour;",
            p => p.Add("a", assignee).Instant("from", from).Instant("to", to),
            ReadCurtailmentRow,
            cancellationToken);
    }

    public Task CloseCurtailmentHoursAsync(IReadOnlyList<CurtailmentLedgerRow> completed, IReadOnlyList<CurtailmentLedgerRow> stillOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(stillOpen);
        return InTransactionAsync(
            async (c, tx) =>
            {
                // A closed hour written again replaces its row.
                await InsertCurtailmentAsync(
                    c,
                    tx,
                    """
                    INSERT INTO curtailment_ledger (assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours) VALUES (@a, @h, @t, @k, @c)
                    ON CONFLICT (assignee, hour) DO UPDATE SET curtailed_thh = excluded.curtailed_thh, avoided_kwh = excluded.avoided_kwh, curtailed_hours = excluded.curtailed_hours;
                    """,
                    completed,
                    cancellationToken);
                await ExecuteAsync(c, tx, "DELETE FROM curtailment_ledger_open;", null, cancellationToken);
                await InsertCurtailmentAsync(c, tx, "INSERT INTO curtailment_ledger_open (assignee, hour, curtailed_thh, avoided_kwh, curtailed_hours) VALUES (@a, @h, @t, @k, @c);", stillOpen, cancellationToken);
            },
            cancellationToken);
    }

    public async Task<string?> GetOperatorSignalsAsync(CancellationToken cancellationToken) =>
        await ScalarAsync("SELECT signals_json FROM curtailment_signals WHERE id = 1;", null, cancellationToken) as string;

    public Task SetOperatorSignalsAsync(string? json, CancellationToken cancellationToken) =>
        json is null
            ? ExecuteAsync("DELETE FROM curtailment_signals;", _ => { }, cancellationToken)
            : ExecuteAsync(
                "INSERT INTO curtailment_signals (id, signals_json) VALUES (1, @j) ON CONFLICT (id) DO UPDATE SET signals_json = excluded.signals_json;",
                p => p.Add("j", json),
                cancellationToken);

    private CurtailmentLedgerRow ReadCurtailmentRow(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), ReadInstant(r, 1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4));

    private Task InsertCurtailmentAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string sql, IReadOnlyList<CurtailmentLedgerRow> rows, CancellationToken cancellationToken) =>
        ExecuteEachAsync(
            c,
            tx,
            sql,
            rows,
            (p, row) => p.Add("a", row.Assignee).Instant("h", row.Hour).Add("t", row.CurtailedTerahashHours).Add("k", row.AvoidedKilowattHours).Add("c", row.CurtailedHours),
            cancellationToken);
}
