namespace CloudMining.Farm.Controller.Store;

// The engine's durable state: drain flags, contract endings, open ledger hours, and small settings.
public abstract partial class SqlControllerStore
{
    public async Task<IReadOnlySet<string>> GetDrainedMinersAsync(CancellationToken cancellationToken) =>
        new HashSet<string>(await ReadAsync("SELECT miner_id FROM drained_miners;", null, r => r.GetString(0), cancellationToken), StringComparer.Ordinal);

    public Task SetMinerDrainedAsync(string minerId, bool drained, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(minerId);
        return drained
            ? ExecuteAsync("INSERT INTO drained_miners (miner_id, since) VALUES (@m, @t) ON CONFLICT (miner_id) DO NOTHING;", p => p.Add("m", minerId).Instant("t", at), cancellationToken)
            : ExecuteAsync("DELETE FROM drained_miners WHERE miner_id = @m;", p => p.Add("m", minerId), cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, ContractEnding>> GetContractEndingsAsync(CancellationToken cancellationToken) =>
        (await ReadAsync("SELECT contract_id, ended_at, reason FROM contract_endings;", null, r => (Id: r.GetString(0), Ending: new ContractEnding(ReadInstant(r, 1), r.GetString(2))), cancellationToken))
            .ToDictionary(e => e.Id, e => e.Ending, StringComparer.Ordinal);

    public Task EndContractAsync(string contractId, DateTimeOffset at, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contractId);
        return ExecuteAsync(
            "INSERT INTO contract_endings (contract_id, ended_at, reason) VALUES (@c, @t, @r) ON CONFLICT (contract_id) DO UPDATE SET ended_at = excluded.ended_at, reason = excluded.reason;",
            p => p.Add("c", contractId).Instant("t", at).Add("r", reason ?? string.Empty),
            cancellationToken);
    }

    public async Task<IReadOnlyList<LedgerAccumulator>> LoadOpenLedgerAsync(CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT contract_id, hour, delivered_hashes, energy_wh FROM ledger_open ORDER BY hour, contract_id {ByteOrder};",
            null,
            r => new LedgerAccumulator(r.GetString(0), ReadInstant(r, 1), r.GetDouble(2), r.GetDouble(3)),
            cancellationToken);

    public Task SaveOpenLedgerAsync(IReadOnlyList<LedgerAccumulator> open, CancellationToken cancellationToken) =>
        CloseLedgerHoursAsync([], open, cancellationToken);

    public Task CloseLedgerHoursAsync(IReadOnlyList<LedgerEntry> completed, IReadOnlyList<LedgerAccumulator> stillOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(stillOpen);
        return InTransactionAsync(
            async (c, tx) =>
            {
                await InsertLedgerAsync(c, tx, completed, cancellationToken);
                await ExecuteAsync(c, tx, "DELETE FROM ledger_open;", null, cancellationToken);
                await ExecuteEachAsync(
                    c,
                    tx,
                    "INSERT INTO ledger_open (contract_id, hour, delivered_hashes, energy_wh) VALUES (@c, @h, @d, @e);",
                    stillOpen,
                    (p, a) => p.Add("c", a.ContractId).Instant("h", a.Hour).Add("d", a.DeliveredHashes).Add("e", a.EnergyWattHours),
                    cancellationToken);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> GetLastLedgerHoursAsync(CancellationToken cancellationToken) =>
        (await ReadAsync("SELECT contract_id, MAX(hour) FROM ledger GROUP BY contract_id;", null, r => (Id: r.GetString(0), Hour: ReadInstant(r, 1)), cancellationToken))
            .ToDictionary(e => e.Id, e => e.Hour, StringComparer.Ordinal);

    public async Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken) =>
        await ScalarAsync("SELECT value FROM engine_meta WHERE key = @k;", p => p.Add("k", key), cancellationToken) as string;

    public Task SetMetaAsync(string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO engine_meta (key, value) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            p => p.Add("k", key).Add("v", value),
            cancellationToken);
}
