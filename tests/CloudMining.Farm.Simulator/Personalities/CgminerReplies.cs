using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>Reply objects of upstream cgminer 4.x (MH/s units, %.8f difficulties) that btminer, Avalon and generic cgminer builds share.</summary>
internal static class CgminerReplies
{
    /// <summary>cgminer 4.x decaying N-minute averages ramp up after boot; approximated from the average since boot.</summary>
    public static double Window(MinerView v, double average, double seconds) => average * Math.Min(1, v.Elapsed / seconds);

    /// <summary>The common head of a cgminer 4.x summary object; <paramref name="shortWindow"/> is "5s" or Avalon's "30s".</summary>
    public static ApiObject Summary(MinerView v, string shortWindow = "5s")
    {
        double av = v.HashAverage / 1e6;
        double all = v.DifficultyAccepted + v.DifficultyRejected + v.DifficultyStale;
        return new ApiObject(64)
            .Add("Elapsed", v.Elapsed)
            .Add("MHS av", ApiValue.Fixed(av, 2))
            .Add("MHS " + shortWindow, ApiValue.Fixed(v.Hash5s / 1e6, 2))
            .Add("MHS 1m", ApiValue.Fixed(Window(v, av, 60), 2))
            .Add("MHS 5m", ApiValue.Fixed(Window(v, av, 300), 2))
            .Add("MHS 15m", ApiValue.Fixed(Window(v, av, 900), 2))
            .Add("Found Blocks", 0)
            .Add("Getworks", v.Getworks)
            .Add("Accepted", v.Accepted)
            .Add("Rejected", v.Rejected)
            .Add("Hardware Errors", v.HardwareErrors)
            .Add("Utility", ApiValue.Fixed(v.Elapsed > 0 ? v.Accepted * 60.0 / v.Elapsed : 0, 2))
            .Add("Discarded", v.Getworks * 3)
            .Add("Stale", v.Stale)
            .Add("Get Failures", 0)
            .Add("Local Work", (long)(v.Diff1 / 64))
            .Add("Remote Failures", 0)
            .Add("Network Blocks", v.Elapsed / 600)
            .Add("Total MH", ApiValue.Fixed(v.TotalHashes / 1e6, 4))
            .Add("Work Utility", ApiValue.Fixed(v.Elapsed > 0 ? v.Diff1 * 60.0 / v.Elapsed : 0, 2))
            .Add("Difficulty Accepted", ApiValue.Fixed(v.DifficultyAccepted, 8))
            .Add("Difficulty Rejected", ApiValue.Fixed(v.DifficultyRejected, 8))
            .Add("Difficulty Stale", ApiValue.Fixed(v.DifficultyStale, 8))
            .Add("Best Share", (long)(v.Diff1 > 0 ? Math.Min(v.Diff1 * 8, 1e12) : 0));
    }

    /// <summary>The tail of a cgminer 4.x summary object (after firmware-specific keys).</summary>
    public static ApiObject SummaryTail(ApiObject o, MinerView v)
    {
        double all = v.DifficultyAccepted + v.DifficultyRejected + v.DifficultyStale;
        return o
            .Add("Device Hardware%", ApiValue.Fixed(Pct(v.HardwareErrors, v.HardwareErrors + v.Diff1), 4))
            .Add("Device Rejected%", ApiValue.Fixed(Pct(v.DifficultyRejected, v.Diff1), 4))
            .Add("Pool Rejected%", ApiValue.Fixed(Pct(v.DifficultyRejected, all), 4))
            .Add("Pool Stale%", ApiValue.Fixed(Pct(v.DifficultyStale, all), 4))
            .Add("Last getwork", 0);
    }

    /// <summary>cgminer 4.x pool objects (Works, Work/Stratum Difficulty, Bad Work, block height); Avalon adds "Has Vmask".</summary>
    public static List<ApiObject> Pools(MinerView v, bool hasVmask)
    {
        var list = new List<ApiObject>(v.Pools.Count);
        foreach (PoolView p in v.Pools)
        {
            double all = p.DifficultyAccepted + p.DifficultyRejected + p.DifficultyStale;
            var o = new ApiObject(40)
                .Add("POOL", p.Index)
                .Add("URL", p.Url)
                .Add("Status", p.Status)
                .Add("Priority", p.Priority)
                .Add("Quota", p.Quota)
                .Add("Long Poll", "N")
                .Add("Getworks", p.Getworks)
                .Add("Accepted", p.Accepted)
                .Add("Rejected", p.Rejected)
                .Add("Works", (long)(p.Diff1 / 4))
                .Add("Discarded", p.Getworks * 3)
                .Add("Stale", p.Stale)
                .Add("Get Failures", 0)
                .Add("Remote Failures", 0)
                .Add("User", p.User)
                .Add("Last Share Time", p.LastShareAt?.ToUnixTimeSeconds() ?? 0)
                .Add("Diff1 Shares", (long)p.Diff1)
                .Add("Proxy Type", string.Empty)
                .Add("Proxy", string.Empty)
                .Add("Difficulty Accepted", ApiValue.Fixed(p.DifficultyAccepted, 8))
                .Add("Difficulty Rejected", ApiValue.Fixed(p.DifficultyRejected, 8))
                .Add("Difficulty Stale", ApiValue.Fixed(p.DifficultyStale, 8))
                .Add("Last Share Difficulty", ApiValue.Fixed(p.LastShareDifficulty, 8))
                .Add("Work Difficulty", ApiValue.Fixed(p.Active ? p.ShareDifficulty : 0, 8))
                .Add("Has Stratum", true)
                .Add("Stratum Active", p.Active)
                .Add("Stratum URL", p.Active ? Host(p.Url) : string.Empty)
                .Add("Stratum Difficulty", ApiValue.Fixed(p.Active ? p.ShareDifficulty : 0, 8));
            if (hasVmask)
            {
                o.Add("Has Vmask", true);
            }

            o.Add("Has GBT", false)
                .Add("Best Share", (long)(p.Diff1 > 0 ? Math.Min(p.Diff1 * 8, 1e12) : 0))
                .Add("Pool Rejected%", ApiValue.Fixed(Pct(p.DifficultyRejected, all), 4))
                .Add("Pool Stale%", ApiValue.Fixed(Pct(p.DifficultyStale, all), 4))
                .Add("Bad Work", 0)
                .Add("Current Block Height", p.Active ? 880000 + (v.Elapsed / 600) : 0)
                .Add("Current Block Version", 536870912);
            list.Add(o);
        }

        return list;
    }

    public static double Pct(double part, double whole) => whole > 0 ? part * 100.0 / whole : 0;

    public static string Host(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme >= 0 ? url[(scheme + 3)..] : url;
        int colon = rest.LastIndexOf(':');
        return colon > 0 ? rest[..colon] : rest;
    }
}
