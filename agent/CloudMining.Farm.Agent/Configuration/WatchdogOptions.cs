namespace CloudMining.Farm.Agent.Configuration;

/// <summary>The watchdog ladder (Agent:Watchdog): when a miner counts as sick, how long each step waits, and the rack-wide brakes.</summary>
public sealed class WatchdogOptions
{
    /// <summary>False turns the ladder off: miners are only polled and reported.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A miner that answers but hashes below this share of its nominal rate counts as sick.</summary>
    public double HashingBelowPercent { get; set; } = 50;

    /// <summary>How long a miner must stay sick before the first step, and between steps (T).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>After this many power-cycles within <see cref="CycleWindow"/> that did not bring the miner back, it is quarantined (N).</summary>
    public int MaxPowerCycles { get; set; } = 3;

    /// <summary>The span over which failed power-cycles are counted (W).</summary>
    public TimeSpan CycleWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Rack-wide: at most this many restarts and power-cycles per minute, whatever the number of sick miners (R).</summary>
    public int MaxActionsPerMinute { get; set; } = 4;

    /// <summary>
    /// When more than half of the rack stops answering in the same poll cycle, and at least this many miners, the
    /// watchdog suspects the network (switch, uplink) rather than the miners and holds every action.
    /// </summary>
    public int NetworkHoldMinMiners { get; set; } = 3;
}
