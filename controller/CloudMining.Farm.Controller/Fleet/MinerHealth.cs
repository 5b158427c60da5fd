namespace CloudMining.Farm.Controller.Fleet;

/// <summary>How the controller judges a miner from its telemetry; only <see cref="Healthy"/> hashrate is sold.</summary>
public enum MinerHealth
{
    /// <summary>Hashing at its measured rate with no active fault.</summary>
    Healthy = 0,

    /// <summary>Hashing, but below its expected rate or with a failing board; not sold until it recovers.</summary>
    Degraded = 1,

    /// <summary>Not answering its API or not hashing (power loss, network, crash).</summary>
    Offline = 2,

    /// <summary>Taken out of service by the agent's watchdog after repeated failures.</summary>
    Quarantined = 3,
}
