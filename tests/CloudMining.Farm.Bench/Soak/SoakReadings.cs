using System.Globalization;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Bench.Soak;

/// <summary>One synthetic miner's reading as an agent reports it (an S19j Pro with 4 fans and 3 pools), advanced each cycle.</summary>
internal static class SoakReadings
{
    /// <summary>The miner's reading at cycle 0 (counters start where a miner with a day of uptime would be).</summary>
    public static MinerTelemetryPayload Miner(string site, string rack, int miner) => new()
    {
        Publisher = "agent-" + site + "-" + rack,
        Seq = 0,
        Timestamp = DateTimeOffset.UnixEpoch,
        Site = site,
        Rack = rack,
        MinerId = "m" + miner.ToString("000000", CultureInfo.InvariantCulture),
        Profile = "antminer",
        Model = "Antminer S19j Pro",
        Firmware = "Antminer S19j Pro 2023-03",
        Hashrate5sHs = 100.3e12,
        HashrateAverageHs = 100e12,
        HashrateNominalHs = 104e12,
        PowerW = 3050,
        MaxChipTempC = 71.5,
        UptimeS = 86400,
        HardwareErrors = 12,
        Fans = [.. Enumerable.Range(0, 4).Select(f => new TelemetryFan(f, 5400 + f, 80))],
        Pools = [.. Enumerable.Range(0, 3).Select(p => new TelemetryPool
        {
            Index = p,
            Url = $"stratum+tcp://pool{p.ToString(CultureInfo.InvariantCulture)}.example.com:3333",
            User = "acct.worker" + p.ToString(CultureInfo.InvariantCulture),
            Status = "Alive",
            Priority = p,
            Active = p == 0,
            Accepted = 1000,
            Rejected = 3,
            Stale = 1,
            DifficultyAccepted = p == 0 ? 6.5e9 : 0,
            DifficultyRejected = 1.2e7,
            DifficultyStale = 4.1e6,
        })],
    };

    /// <summary>The reading at <paramref name="cycle"/>: read now, 10 s more uptime a cycle, the active pool's accepted work growing at about 100 TH/s.</summary>
    public static MinerTelemetryPayload Advance(MinerTelemetryPayload t, int cycle, DateTimeOffset now) => t with
    {
        ReadAt = now,
        UptimeS = 86400 + (cycle * 10),
        Pools = [.. t.Pools.Select(p => p.Active == true ? p with { Accepted = p.Accepted + (cycle * 4), DifficultyAccepted = p.DifficultyAccepted + (cycle * 232_830.6) } : p)],
    };
}
