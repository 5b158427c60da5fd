namespace CloudMining.Farm.Agent.Configuration;

/// <summary>Relay timing (Agent:Power): how long an outlet stays off, how far apart outlets come on, how many cycle at once.</summary>
public sealed class PowerOptions
{
    /// <summary>An outlet switched off stays off at least this long before it may come on again (PSU capacitors drain, the controller board resets).</summary>
    public TimeSpan MinOffTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Two outlets never come on closer together than this (inrush current of the PSUs): staggers the rack's power-up.</summary>
    public TimeSpan PowerUpGap { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many miners are in a power-cycle at the same time; the others wait their turn.</summary>
    public int MaxConcurrentCycles { get; set; } = 2;
}
