using System.Globalization;
using Microsoft.Data.Sqlite;

namespace CloudMining.Farm.Controller.Store;

// The engine's durable state: drain flags, contract endings, open ledger hours, and small settings.
public sealed partial class SqliteControllerStore
{
    public async Task<IReadOnlySet<string>> GetDrainedMinersAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, "SELECT miner_id FROM drained_miners;");
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var set = new HashSet<string>(StringComparer.Ordinal);
            while (await r.ReadAsync(cancellationToken))
            {
                set.Add(r.GetString(0));
            }

            return set;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetMinerDrainedAsync(string minerId, bool drained, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(minerId);
        await InTransactionAsync(
            async tx =>
            {
                using SqliteCommand cmd = drained
                    ? Command(tx, "INSERT OR IGNORE INTO drained_miners (miner_id, since) VALUES ($m, $t);")
                    : Command(tx, "DELETE FROM drained_miners WHERE miner_id = $m;");
                cmd.Parameters.AddWithValue("$m", minerId);
                if (drained)
                {
                    cmd.Parameters.AddWithValue("$t", Instant(at));
                }

                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, ContractEnding>> GetContractEndingsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, "SELECT contract_id, ended_at, reason FROM contract_endings;");
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var map = new Dictionary<string, ContractEnding>(StringComparer.Ordinal);
            while (await r.ReadAsync(cancellationToken))
            {
                map[r.GetString(0)] = new ContractEnding(ParseInstant(r.GetString(1)), r.GetString(2));
            }

            return map;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task EndContractAsync(string contractId, DateTimeOffset at, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contractId);
        await InTransactionAsync(
            async tx =>
            {
                using SqliteCommand cmd = Command(tx, "INSERT OR REPLACE INTO contract_endings (contract_id, ended_at, reason) VALUES ($c, $t, $r);");
                cmd.Parameters.AddWithValue("$c", contractId);
                cmd.Parameters.AddWithValue("$t", Instant(at));
                cmd.Parameters.AddWithValue("$r", reason ?? string.Empty);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<LedgerAccumulator>> LoadOpenLedgerAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, "SELECT contract_id, hour, delivered_hashes, energy_wh FROM ledger_open ORDER BY hour, contract_id;");
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var list = new List<LedgerAccumulator>();
            while (await r.ReadAsync(cancellationToken))
            {
                list.Add(new LedgerAccumulator(r.GetString(0), ParseInstant(r.GetString(1)), r.GetDouble(2), r.GetDouble(3)));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task SaveOpenLedgerAsync(IReadOnlyList<LedgerAccumulator> open, CancellationToken cancellationToken) =>
        CloseLedgerHoursAsync([], open, cancellationToken);

    public async Task CloseLedgerHoursAsync(IReadOnlyList<LedgerEntry> completed, IReadOnlyList<LedgerAccumulator> stillOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(stillOpen);
        await InTransactionAsync(
            async tx =>
            {
                await InsertLedgerAsync(tx, completed, cancellationToken);
                using (SqliteCommand clear = Command(tx, "DELETE FROM ledger_open;"))
                {
                    await clear.ExecuteNonQueryAsync(cancellationToken);
                }

                using SqliteCommand insert = Command(tx, "INSERT INTO ledger_open (contract_id, hour, delivered_hashes, energy_wh) VALUES ($c, $h, $d, $e);");
                SqliteParameter c = insert.Parameters.Add("$c", SqliteType.Text);
                SqliteParameter h = insert.Parameters.Add("$h", SqliteType.Text);
                SqliteParameter d = insert.Parameters.Add("$d", SqliteType.Real);
                SqliteParameter e = insert.Parameters.Add("$e", SqliteType.Real);
                foreach (LedgerAccumulator a in stillOpen)
                {
                    c.Value = a.ContractId;
                    h.Value = Instant(a.Hour);
                    d.Value = a.DeliveredHashes;
                    e.Value = a.EnergyWattHours;
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> GetLastLedgerHoursAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, "SELECT contract_id, MAX(hour) FROM ledger GROUP BY contract_id;");
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var map = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            while (await r.ReadAsync(cancellationToken))
            {
                map[r.GetString(0)] = ParseInstant(r.GetString(1));
            }

            return map;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, "SELECT value FROM engine_meta WHERE key = $k;");
            cmd.Parameters.AddWithValue("$k", key);
            return await cmd.ExecuteScalarAsync(cancellationToken) as string;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetMetaAsync(string key, string value, CancellationToken cancellationToken)
    {
        await InTransactionAsync(
            async tx =>
            {
                using SqliteCommand cmd = Command(tx, "INSERT OR REPLACE INTO engine_meta (key, value) VALUES ($k, $v);");
                cmd.Parameters.AddWithValue("$k", key);
                cmd.Parameters.AddWithValue("$v", value);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    private async Task InsertLedgerAsync(SqliteTransaction tx, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        using SqliteCommand cmd = Command(tx, """
            INSERT OR REPLACE INTO ledger (contract_id, hour, target_thh, delivered_thh, shortfall_thh, energy_kwh, maintenance_fee, electricity_cost)
            VALUES ($c, $h, $t, $d, $s, $e, $mf, $ec);
            """);
        foreach (LedgerEntry e in entries)
        {
            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("$c", e.ContractId);
            cmd.Parameters.AddWithValue("$h", Instant(e.Hour));
            cmd.Parameters.AddWithValue("$t", e.TargetTerahashHours);
            cmd.Parameters.AddWithValue("$d", e.DeliveredTerahashHours);
            cmd.Parameters.AddWithValue("$s", e.ShortfallTerahashHours);
            cmd.Parameters.AddWithValue("$e", e.EnergyKilowattHours);
            cmd.Parameters.AddWithValue("$mf", e.MaintenanceFee.ToString(CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue("$ec", e.ElectricityCost.ToString(CultureInfo.InvariantCulture));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
