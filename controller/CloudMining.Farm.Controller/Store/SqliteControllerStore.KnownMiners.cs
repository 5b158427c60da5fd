using CloudMining.Farm.Controller.Admission;
using Microsoft.Data.Sqlite;

namespace CloudMining.Farm.Controller.Store;

// Miners past probation and the rack each belongs to (migration 5), so a restart does not make the fleet new again.
public sealed partial class SqliteControllerStore
{
    public async Task<IReadOnlyList<KnownMiner>> GetKnownMinersAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteCommand cmd = Command(null, "SELECT miner_id, rack, admitted_at FROM known_miners ORDER BY miner_id;");
            using SqliteDataReader r = await cmd.ExecuteReaderAsync(cancellationToken);
            var list = new List<KnownMiner>();
            while (await r.ReadAsync(cancellationToken))
            {
                list.Add(new KnownMiner(r.GetString(0), r.GetString(1), ParseInstant(r.GetString(2))));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SaveKnownMinersAsync(IReadOnlyList<KnownMiner> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        if (miners.Count == 0)
        {
            return;
        }

        await InTransactionAsync(
            async tx =>
            {
                foreach (KnownMiner m in miners)
                {
                    using SqliteCommand cmd = Command(tx, "INSERT OR REPLACE INTO known_miners (miner_id, rack, admitted_at) VALUES ($m, $r, $t);");
                    cmd.Parameters.AddWithValue("$m", m.MinerId);
                    cmd.Parameters.AddWithValue("$r", m.Rack);
                    cmd.Parameters.AddWithValue("$t", Instant(m.AdmittedAt));
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }
}
