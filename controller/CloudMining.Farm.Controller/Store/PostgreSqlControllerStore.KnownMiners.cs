using CloudMining.Farm.Controller.Admission;
using Npgsql;

namespace CloudMining.Farm.Controller.Store;

// Miners past probation and the rack each belongs to (migration 5), so a restart does not make the fleet new again.
public sealed partial class PostgreSqlControllerStore
{
    public Task<IReadOnlyList<KnownMiner>> GetKnownMinersAsync(CancellationToken cancellationToken) =>
        ReadAsync<KnownMiner, IReadOnlyList<KnownMiner>>(
            "SELECT miner_id, rack, admitted_at FROM known_miners ORDER BY miner_id COLLATE \"C\";",
            _ => { },
            r => new KnownMiner(r.GetString(0), r.GetString(1), ReadInstant(r, 2)),
            list => list,
            cancellationToken);

    public async Task SaveKnownMinersAsync(IReadOnlyList<KnownMiner> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        if (miners.Count == 0)
        {
            return;
        }

        await InTransactionAsync(
            async (connection, tx) =>
            {
                foreach (KnownMiner m in miners)
                {
                    await using NpgsqlCommand cmd = Command(connection, tx, """
                        INSERT INTO known_miners (miner_id, rack, admitted_at) VALUES (@m, @r, @t)
                        ON CONFLICT (miner_id) DO UPDATE SET rack = EXCLUDED.rack, admitted_at = EXCLUDED.admitted_at;
                        """);
                    cmd.Parameters.AddWithValue("m", m.MinerId);
                    cmd.Parameters.AddWithValue("r", m.Rack);
                    cmd.Parameters.AddWithValue("t", Instant(m.AdmittedAt));
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }
}
