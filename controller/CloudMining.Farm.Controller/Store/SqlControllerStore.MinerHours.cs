using System.Data;
using CloudMining.Farm.Controller.Proof;

namespace CloudMining.Farm.Controller.Store;

// The miners that served each contract-hour (migration 9, ledger_miner_hours; the miner's serial since migration 10, its suspect time since 13): added to, never replaced, so the
// recorder can write a partial hour and add the rest later.
public abstract partial class SqlControllerStore : IMinerHourStore
{
    public Task AddMinerHoursAsync(IReadOnlyList<MinerHour> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);

        // The table's own columns are qualified: unqualified, PostgreSQL would find them ambiguous with excluded's.
        return rows.Count == 0 ? Task.CompletedTask : InTransactionAsync(
            (c, tx) => ExecuteEachAsync(
                c,
                tx,
                """
                INSERT INTO ledger_miner_hours (contract_id, hour, miner_id, rack, share_hours, delivered_thh, serial, suspect_hours)
                VALUES (@c, @h, @m, @r, @s, @d, @n, @x)
                ON CONFLICT (contract_id, hour, miner_id) DO UPDATE SET
                    rack = excluded.rack,
                    serial = COALESCE(excluded.serial, ledger_miner_hours.serial),
                    share_hours = ledger_miner_hours.share_hours + excluded.share_hours,
                    delivered_thh = ledger_miner_hours.delivered_thh + excluded.delivered_thh,
                    suspect_hours = ledger_miner_hours.suspect_hours + excluded.suspect_hours;
                """,
                rows,
                (p, m) => p.Add("c", m.ContractId).Instant("h", m.Hour).Add("m", m.MinerId).Add("r", m.Rack).Add("s", m.ShareHours).Add("d", m.DeliveredTerahashHours).Add("n", m.Serial, DbType.String).Add("x", m.SuspectHours),
                cancellationToken),
            cancellationToken);
    }

    public async Task<IReadOnlyList<MinerHour>> GetMinerHoursAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT contract_id, hour, miner_id, rack, share_hours, delivered_thh, serial, suspect_hours FROM ledger_miner_hours WHERE contract_id = @c AND hour >= @from AND hour < @to ORDER BY hour, miner_id {ByteOrder};",
            p => p.Add("c", contractId).Instant("from", from).Instant("to", to),
            r => new MinerHour(r.GetString(0), ReadInstant(r, 1), r.GetString(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetDouble(7)),
            cancellationToken);
}
