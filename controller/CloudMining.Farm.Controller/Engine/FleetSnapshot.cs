using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// The fleet as one tick (or one operator request) judged it: the site's racks as heard, the admitted miners as the
/// allocator sees them (ordered by id), and the power each healthy or degraded miner draws, W, and each idle one that
/// answers and reports its draw (a sleeping miner still draws a little): their sum is the site's measured power.
/// </summary>
public sealed record FleetSnapshot(IReadOnlyList<RackLiveState> Racks, IReadOnlyList<Miner> Miners, IReadOnlyDictionary<string, double> PowerW)
{
    /// <summary>Nothing heard yet.</summary>
    public static FleetSnapshot Empty { get; } = new([], [], new Dictionary<string, double>(StringComparer.Ordinal));

    /// <summary>The rack each admitted miner belongs to.</summary>
    public Dictionary<string, string> RackOfMiner() => Miners.ToDictionary(m => m.Id, m => m.Rack, StringComparer.Ordinal);

    /// <summary>
    /// The serial each admitted miner's firmware reports, as heard from its own rack (a claim of the same id from another
    /// rack is not believed); miners without one are left out.
    /// </summary>
    public Dictionary<string, string> SerialOfMiner()
    {
        Dictionary<string, string> rackOf = RackOfMiner();
        var serials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (RackLiveState rack in Racks)
        {
            foreach (MinerLiveState live in rack.Miners)
            {
                if (live.Serial is { } serial && rackOf.TryGetValue(live.MinerId, out string? home) && string.Equals(home, rack.Rack, StringComparison.Ordinal))
                {
                    serials[live.MinerId] = serial;
                }
            }
        }

        return serials;
    }
}
