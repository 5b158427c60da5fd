using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// Staggered restore after curtailment, against inrush: waves of at most <c>maxWaveW</c> of power returning, one every
/// <c>interval</c>. Contracts' miners come back first (their hashrate is owed), then the house, most efficient first.
/// </summary>
public static class RestoreSchedule
{
    public static IReadOnlyList<RestoreWave> Build(IReadOnlyList<MinerCurtailment> curtailed, double maxWaveW, TimeSpan interval, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(curtailed);
        if (!(maxWaveW > 0) || !double.IsFinite(maxWaveW))
        {
            throw new ArgumentOutOfRangeException(nameof(maxWaveW), maxWaveW, "A restore wave needs a positive, finite power budget in watts.");
        }

        if (interval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval between restore waves must be zero or more.");
        }

        var waves = new List<RestoreWave>();
        var ids = new List<string>();
        double power = 0;
        foreach (MinerCurtailment m in curtailed
            .OrderBy(m => m.Owner == HousePool.AssigneeId ? 1 : 0)
            .ThenBy(m => m.JoulesPerTerahash)
            .ThenBy(m => m.MinerId, StringComparer.Ordinal))
        {
            // A miner bigger than the budget goes alone rather than never.
            if (ids.Count > 0 && power + m.SavedW > maxWaveW)
            {
                waves.Add(new RestoreWave(start + (interval * waves.Count), [.. ids], power));
                ids.Clear();
                power = 0;
            }

            ids.Add(m.MinerId);
            power += m.SavedW;
        }

        if (ids.Count > 0)
        {
            waves.Add(new RestoreWave(start + (interval * waves.Count), [.. ids], power));
        }

        return waves;
    }
}
