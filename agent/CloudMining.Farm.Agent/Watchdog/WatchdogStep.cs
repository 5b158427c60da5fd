namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>Where a miner stands on the watchdog ladder.</summary>
public enum WatchdogStep
{
    /// <summary>Answers and hashes; nothing to do.</summary>
    Healthy,

    /// <summary>Sick, but not yet for a whole window.</summary>
    Watching,

    /// <summary>Step 1: sick for a window; given one more before anything is done.</summary>
    Retrying,

    /// <summary>Step 2: restarted through its API (firmware profile's restart action).</summary>
    Restarted,

    /// <summary>Step 3: power-cycled through its relay; repeated until the miner recovers or is quarantined.</summary>
    PowerCycled,

    /// <summary>No relay to cycle it with: the agent has done what it can; a technician must go.</summary>
    NeedsHands,

    /// <summary>Step 4: power-cycled too often without recovering; left alone until released.</summary>
    Quarantined,
}
