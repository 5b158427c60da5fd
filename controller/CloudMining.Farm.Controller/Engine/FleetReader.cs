using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// Judges live miners into allocator <see cref="Miner"/> records: measured average hashrate, health from the agent's
/// state, the agent's status and the telemetry's age. Agents do not report PDUs yet, so the rack is the PDU domain.
/// </summary>
public static class FleetReader
{
    /// <summary>
    /// The allocator's view of one live miner at <paramref name="now"/>. A <paramref name="suspectReason"/> (see
    /// <see cref="SuspectMiners"/>) means its readings are not believed: it measures nothing and is sold to nobody.
    /// </summary>
    public static Miner ToMiner(MinerLiveState live, bool agentOffline, bool drained, bool supportsQuotas, DateTimeOffset now, TimeSpan stale, string? suspectReason = null)
    {
        ArgumentNullException.ThrowIfNull(live);
        double measured = live.HashrateAverageHs ?? live.Hashrate5sHs ?? 0;
        if (!double.IsFinite(measured))
        {
            measured = 0;
            suspectReason ??= "its hashrate is not a finite number";
        }

        return new Miner(
            live.MinerId,
            live.Rack,
            live.Rack,
            live.Profile ?? "unknown",
            supportsQuotas,
            suspectReason is null ? new Hashrate(Math.Max(0, measured)) : Hashrate.Zero,
            Health(live, agentOffline, measured, now, stale),
            drained)
        {
            SuspectReason = suspectReason,
        };
    }

    /// <summary>Healthy only when its agent is up, its telemetry is fresh, its state says hashing and it measures hashrate.</summary>
    public static MinerHealth Health(MinerLiveState live, bool agentOffline, double measuredHs, DateTimeOffset now, TimeSpan stale)
    {
        ArgumentNullException.ThrowIfNull(live);
        if (agentOffline || live.TelemetryAt is not { } at || now - at > stale)
        {
            return MinerHealth.Offline;
        }

        return MinerHealthMap.FromWire(live.State, measuredHs);
    }
}
