namespace CloudMining.Farm.Controller.Fleet;

/// <summary>
/// The "Controller:Engine:Readings" section: the physical envelope a miner's telemetry must stay inside to be sold, and
/// how a suspect miner comes back. The defaults and where they come from are in docs/allocation.md ("Plausible readings").
/// </summary>
public sealed class ReadingEnvelopeOptions
{
    /// <summary>Hard limit for <see cref="MaxHashrateTh"/>: 1 EH/s per machine is arithmetic poison, not a miner.</summary>
    public const double HashrateLimitTh = Miner.HashrateLimitHs / 1e12;

    /// <summary>Absolute ceiling of one miner's hashrate, TH/s (the largest ASIC sold, about 1.2 PH/s, with margin).</summary>
    public double MaxHashrateTh { get; set; } = 2000;

    /// <summary>A miner reporting its nominal (nameplate) hashrate may exceed it by this factor (overclocking, 5 s noise).</summary>
    public double MaxOverNominal { get; set; } = 2;

    /// <summary>Absolute ceiling of one miner's power draw, W (the largest hydro units draw about 12 kW).</summary>
    public double MaxPowerW { get; set; } = 20000;

    /// <summary>Lowest plausible hottest-chip temperature, °C (an unheated hall in winter, with margin).</summary>
    public double MinChipTempC { get; set; } = -40;

    /// <summary>Highest plausible hottest-chip temperature, °C (silicon is destroyed well before; firmwares cut off near 95–125 °C).</summary>
    public double MaxChipTempC { get; set; } = 150;

    /// <summary>Consecutive plausible telemetry readings a suspect miner needs before it is sellable again.</summary>
    public int PlausibleReadingsToClear { get; set; } = 3;

    /// <summary>
    /// How long a miner may stay suspect before the allocator gives its place away; default 00:03:00 (like
    /// <c>AgentOfflineGrace</c>). While its suspicion is younger the miner keeps its shares (no desired-state change, no
    /// pool switch), but it is not sold, measures nothing and its accepted difficulty is not credited, so one absurd
    /// reading moves no miner. A miner suspect again within this long of clearing counts from its first suspicion.
    /// 00:00:00 releases its shares at the next solve.
    /// </summary>
    public TimeSpan SuspectHold { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>A miner's "became suspect" warning is repeated at most this often while it keeps flapping.</summary>
    public TimeSpan LogInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many suspect warnings per <see cref="LogInterval"/> for the whole fleet; the rest are counted in one line.</summary>
    public int MaxLogLinesPerInterval { get; set; } = 20;

    /// <summary>Per-model maxima, keyed by the model name the telemetry carries (case-insensitive), e.g. "Antminer S21 XP".</summary>
    public Dictionary<string, ModelReadingLimits> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
