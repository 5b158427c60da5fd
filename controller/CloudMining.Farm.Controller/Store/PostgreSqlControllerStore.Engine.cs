using Npgsql;
using NpgsqlTypes;

namespace CloudMining.Farm.Controller.Store;

// The engine's durable state: drain flags, contract endings, open ledger hours, and small settings.
public sealed partial class PostgreSqlControllerStore
{
    public Task<IReadOnlySet<string>> GetDrainedMinersAsync(CancellationToken cancellationToken) =>
        ReadAsync<string, IReadOnlySet<string>>(
            "SELECT miner_id FROM drained_miners;",
            _ => { },
            r => r.GetString(0),
            list => new HashSet<string>(list, StringComparer.Ordinal),
            cancellationToken);

    public async Task SetMinerDrainedAsync(string minerId, bool drained, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(minerId);
        await InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = drained
                    ? Command(connection, tx, "INSERT INTO drained_miners (miner_id, since) VALUES (@m, @t) ON CONFLICT (miner_id) DO NOTHING;")
                    : Command(connection, tx, "DELETE FROM drained_miners WHERE miner_id = @m;");
                cmd.Parameters.AddWithValue("m", minerId);
                if (drained)
                {
                    cmd.Parameters.AddWithValue("t", Instant(at));
                }

                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, ContractEnding>> GetContractEndingsAsync(CancellationToken cancellationToken) =>
        ReadAsync<KeyValuePair<string, ContractEnding>, IReadOnlyDictionary<string, ContractEnding>>(
            "SELECT contract_id, ended_at, reason FROM contract_endings;",
            _ => { },
            r => new(r.GetString(0), new ContractEnding(ReadInstant(r, 1), r.GetString(2))),
            list => list.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            cancellationToken);

    public async Task EndContractAsync(string contractId, DateTimeOffset at, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contractId);
        await InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = Command(connection, tx, """
                    INSERT INTO contract_endings (contract_id, ended_at, reason) VALUES (@c, @t, @r)
                    ON CONFLICT (contract_id) DO UPDATE SET ended_at = EXCLUDED.ended_at, reason = EXCLUDED.reason;
                    """);
                cmd.Parameters.AddWithValue("c", contractId);
                cmd.Parameters.AddWithValue("t", Instant(at));
                cmd.Parameters.AddWithValue("r", reason ?? string.Empty);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<LedgerAccumulator>> LoadOpenLedgerAsync(CancellationToken cancellationToken) =>
        ReadAsync<LedgerAccumulator, IReadOnlyList<LedgerAccumulator>>(
            "SELECT contract_id, hour, delivered_hashes, energy_wh FROM ledger_open ORDER BY hour, contract_id COLLATE \"C\";",
            _ => { },
            r => new LedgerAccumulator(r.GetString(0), ReadInstant(r, 1), r.GetDouble(2), r.GetDouble(3)),
            list => list,
            cancellationToken);

    public Task SaveOpenLedgerAsync(IReadOnlyList<LedgerAccumulator> open, CancellationToken cancellationToken) =>
        CloseLedgerHoursAsync([], open, cancellationToken);

    public async Task CloseLedgerHoursAsync(IReadOnlyList<LedgerEntry> completed, IReadOnlyList<LedgerAccumulator> stillOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(stillOpen);
        await InTransactionAsync(
            async (connection, tx) =>
            {
                await InsertLedgerAsync(connection, tx, completed, cancellationToken);
                await ExecuteAsync(connection, tx, "DELETE FROM ledger_open;", cancellationToken);
                if (stillOpen.Count == 0)
                {
                    return;
                }

                var batch = new NpgsqlBatch(connection, tx);
                await using (batch)
                {
                    foreach (LedgerAccumulator a in stillOpen)
                    {
                        var insert = new NpgsqlBatchCommand("INSERT INTO ledger_open (contract_id, hour, delivered_hashes, energy_wh) VALUES ($1, $2, $3, $4);");
                        insert.Parameters.Add(new NpgsqlParameter { Value = a.ContractId, NpgsqlDbType = NpgsqlDbType.Text });
                        insert.Parameters.Add(new NpgsqlParameter { Value = Instant(a.Hour), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                        insert.Parameters.Add(new NpgsqlParameter { Value = a.DeliveredHashes, NpgsqlDbType = NpgsqlDbType.Double });
                        insert.Parameters.Add(new NpgsqlParameter { Value = a.EnergyWattHours, NpgsqlDbType = NpgsqlDbType.Double });
                        batch.BatchCommands.Add(insert);
                    }

                    await batch.ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> GetLastLedgerHoursAsync(CancellationToken cancellationToken) =>
        ReadAsync<KeyValuePair<string, DateTimeOffset>, IReadOnlyDictionary<string, DateTimeOffset>>(
            "SELECT contract_id, MAX(hour) FROM ledger GROUP BY contract_id;",
            _ => { },
            r => new(r.GetString(0), ReadInstant(r, 1)),
            list => list.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            cancellationToken);

    public async Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlCommand cmd = Command(connection, null, "SELECT value FROM engine_meta WHERE key = @k;");
        cmd.Parameters.AddWithValue("k", key);
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SetMetaAsync(string key, string value, CancellationToken cancellationToken)
    {
        await InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = Command(connection, tx, "INSERT INTO engine_meta (key, value) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;");
                cmd.Parameters.AddWithValue("k", key);
                cmd.Parameters.AddWithValue("v", value);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    private static async Task InsertLedgerAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        foreach (LedgerEntry e in entries)
        {
            await using NpgsqlCommand cmd = Command(connection, tx, """
                INSERT INTO ledger (contract_id, hour, target_thh, delivered_thh, shortfall_thh, energy_kwh, maintenance_fee, electricity_cost)
                VALUES (@c, @h, @t, @d, @s, @e, @mf, @ec)
                ON CONFLICT (contract_id, hour) DO UPDATE SET
                    target_thh = EXCLUDED.target_thh, delivered_thh = EXCLUDED.delivered_thh, shortfall_thh = EXCLUDED.shortfall_thh,
                    energy_kwh = EXCLUDED.energy_kwh, maintenance_fee = EXCLUDED.maintenance_fee, electricity_cost = EXCLUDED.electricity_cost;
                """);
            cmd.Parameters.AddWithValue("c", e.ContractId);
            cmd.Parameters.AddWithValue("h", Instant(e.Hour));
            cmd.Parameters.AddWithValue("t", e.TargetTerahashHours);
            cmd.Parameters.AddWithValue("d", e.DeliveredTerahashHours);
            cmd.Parameters.AddWithValue("s", e.ShortfallTerahashHours);
            cmd.Parameters.AddWithValue("e", e.EnergyKilowattHours);
            cmd.Parameters.AddWithValue("mf", e.MaintenanceFee);
            cmd.Parameters.AddWithValue("ec", e.ElectricityCost);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
