using CloudMining.Farm.Controller.Proof;
using Microsoft.Data.Sqlite;

namespace CloudMining.Farm.Controller.Store;

// The miners that served each contract-hour (migration 9, ledger_miner_hours; the miner's serial since migration 10): added to, never replaced, so the
// recorder can write a partial hour and add the rest later.
public sealed partial class SqliteControllerStore : IMinerHourStore
{
    public Task AddMinerHoursAsync(IReadOnlyList<MinerHour> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Count == 0 ? Task.CompletedTask : InTransactionAsync(
            async tx =>
            {
                foreach (MinerHour m in rows)
                {
                    using SqliteCommand cmd = Command(tx, """
                        INSERT INTO ledger_miner_hours (contract_id, hour, miner_id, rack, share_hours, delivered_thh, serial)
                        VALUES ($c, $h, $m, $r, $s, $d, $n)
                        ON CONFLICT (contract_id, hour, miner_id) DO UPDATE SET
                            rack = excluded.rack,
                            serial = COALESCE(excluded.serial, serial),
                            share_hours = share_hours + excluded.share_hours,
                            delivered_thh = delivered_thh + excluded.delivered_thh;
                        """);
                    cmd.Parameters.AddWithValue("$c", m.ContractId);
                    cmd.Parameters.AddWithValue("$h", Instant(m.Hour));
                    cmd.Parameters.AddWithValue("$m", m.MinerId);
                    cmd.Parameters.AddWithValue("$r", m.Rack);
                    cmd.Parameters.AddWithValue("$s", m.ShareHours);
                    cmd.Parameters.AddWithValue("$d", m.DeliveredTerahashHours);
                    cmd.Parameters.AddWithValue("$n", (object?)m.Serial ?? DBNull.Value);
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<MinerHour>> GetMinerHoursAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync<MinerHour, IReadOnlyList<MinerHour>>(
            "SELECT contract_id, hour, miner_id, rack, share_hours, delivered_thh, serial FROM ledger_miner_hours WHERE contract_id = $c AND hour >= $from AND hour < $to ORDER BY hour, miner_id;",
            p =>
            {
                p.AddWithValue("$c", contractId);
                p.AddWithValue("$from", Instant(from));
                p.AddWithValue("$to", Instant(to));
            },
            r => new MinerHour(r.GetString(0), ParseInstant(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5), r.IsDBNull(6) ? null : r.GetString(6)),
            list => list,
            cancellationToken);
}
