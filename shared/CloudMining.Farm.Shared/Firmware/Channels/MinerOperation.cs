namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>What the agent may ask a miner to do; a firmware profile routes each one to a write channel (or leaves it out).</summary>
public enum MinerOperation
{
    /// <summary>Replace the pool list (priority order, quota where the firmware has one).</summary>
    SetPools,

    /// <summary>Restart the mining software without rebooting the controller board.</summary>
    RestartMining,

    /// <summary>Reboot the whole miner.</summary>
    Reboot,

    /// <summary>Stop hashing but stay reachable (sleep / pause).</summary>
    Pause,

    /// <summary>Hash again after <see cref="Pause"/>.</summary>
    Resume,

    /// <summary>Set a power target or preset.</summary>
    SetPowerTarget,

    /// <summary>Blink the locate LED.</summary>
    LocateOn,

    /// <summary>Stop blinking the locate LED.</summary>
    LocateOff,
}
