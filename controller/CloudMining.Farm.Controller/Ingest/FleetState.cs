using System.Collections.Concurrent;
using CloudMining.Farm.Shared.Contract;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>In-memory fleet picture folded from agent messages: latest per miner and per rack's agent. Thread-safe.</summary>
public sealed class FleetState
{
    private readonly ConcurrentDictionary<(string Site, string Rack, string Miner), MinerLiveState> miners = new();
    private readonly ConcurrentDictionary<(string Site, string Rack), AgentStatusPayload> agents = new();

    /// <summary>Applies one contract message; returns false for kinds the fleet state does not track.</summary>
    public bool Apply(FarmMessage message)
    {
        switch (message)
        {
            case MinerTelemetryPayload t:
                miners.AddOrUpdate(
                    (t.Site, t.Rack, t.MinerId),
                    _ => FromTelemetry(t, null),
                    (_, old) => old.TelemetryAt > t.Timestamp ? old : FromTelemetry(t, old));
                return true;
            case MinerStatePayload s:
                miners.AddOrUpdate(
                    (s.Site, s.Rack, s.MinerId),
                    _ => new MinerLiveState { Site = s.Site, Rack = s.Rack, MinerId = s.MinerId, State = s.State },
                    (_, old) => old with { State = s.State });
                return true;
            case AgentStatusPayload a:
                agents[(a.Site, a.Rack)] = a;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The latest state of one miner, or null if nothing was heard from it.</summary>
    public MinerLiveState? Miner(string site, string rack, string minerId) =>
        miners.TryGetValue((site, rack, minerId), out MinerLiveState? m) ? m : null;

    /// <summary>Every rack heard of (through its agent or its miners), with totals.</summary>
    public IReadOnlyList<RackLiveState> Racks()
    {
        var keys = new HashSet<(string, string)>(agents.Keys);
        foreach ((string site, string rack, _) in miners.Keys)
        {
            keys.Add((site, rack));
        }

        return [.. keys.Order().Select(k =>
        {
            agents.TryGetValue(k, out AgentStatusPayload? agent);
            MinerLiveState[] rackMiners = [.. miners.Values.Where(m => m.Site == k.Item1 && m.Rack == k.Item2).OrderBy(m => m.MinerId, StringComparer.Ordinal)];
            return new RackLiveState(k.Item1, k.Item2, agent?.State, agent?.MinersConfigured, rackMiners);
        })];
    }

    private static MinerLiveState FromTelemetry(MinerTelemetryPayload t, MinerLiveState? old) => new()
    {
        Site = t.Site,
        Rack = t.Rack,
        MinerId = t.MinerId,
        Profile = t.Profile,
        Model = t.Model,
        Hashrate5sHs = t.Hashrate5sHs,
        HashrateAverageHs = t.HashrateAverageHs,
        HashrateNominalHs = t.HashrateNominalHs,
        MaxChipTempC = t.MaxChipTempC,
        PowerW = t.PowerW,
        State = old?.State,
        TelemetryAt = t.Timestamp,
        Pools = t.Pools,
    };
}
