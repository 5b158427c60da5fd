using CloudMining.Farm.Controller.Admission;

namespace CloudMining.Farm.Controller.Store;

// Miners past probation and the rack each belongs to (migration 5), so a restart does not make the fleet new again.
public abstract partial class SqlControllerStore
{
    public async Task<IReadOnlyList<KnownMiner>> GetKnownMinersAsync(CancellationToken cancellationToken) =>
        await ReadAsync(
            $"SELECT miner_id, rack, admitted_at FROM known_miners ORDER BY miner_id {ByteOrder};",
            null,
            r => new KnownMiner(r.GetString(0), r.GetString(1), ReadInstant(r, 2)),
            cancellationToken);

    public Task SaveKnownMinersAsync(IReadOnlyList<KnownMiner> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        return miners.Count == 0 ? Task.CompletedTask : InTransactionAsync(
            (c, tx) => ExecuteEachAsync(
                c,
                tx,
                "INSERT INTO known_miners (miner_id, rack, admitted_at) VALUES (@m, @r, @t) ON CONFLICT (miner_id) DO UPDATE SET rack = excluded.rack, admitted_at = excluded.admitted_at;",
                miners,
                (p, m) => p.Add("m", m.MinerId).Add("r", m.Rack).Instant("t", m.AdmittedAt),
                cancellationToken),
            cancellationToken);
    }
}
