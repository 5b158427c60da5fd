using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>A miner's hottest chip as the thermal loops may use it: only from a poll that just succeeded.</summary>
public static class MinerHeat
{
    /// <summary>
    /// The hottest chip of the miner's latest snapshot, or null when the latest poll failed or is older than
    /// <paramref name="maxAge"/>: the tracker keeps the last good snapshot of a miner that went silent (or was switched
    /// off), and acting on that stale heat would cut or shed a miner for a temperature it no longer has.
    /// </summary>
    public static Temperature? FreshMaxChip(MinerPollStatus miner, DateTimeOffset now, TimeSpan maxAge)
    {
        ArgumentNullException.ThrowIfNull(miner);
        if (miner.Snapshot is null || miner.LastSuccessAt is not { } success || miner.LastPolledAt != success || now - success > maxAge)
        {
            return null;
        }

        return miner.Snapshot.MaxChipTemperature;
    }
}
