namespace CloudMining.Farm.Controller.Allocation;

/// <summary>Why the allocator changed a miner's pools; the plan's text reason gives the specifics.</summary>
public enum MoveReason
{
    /// <summary>A contract that had no hashrate yet receives its first miners.</summary>
    NewContract = 0,

    /// <summary>A contract is below its target (miners lost, measured hashrate fell) and is topped up.</summary>
    ContractUnderTarget = 1,

    /// <summary>A contract receives more than its target (measured hashrate rose) and gives some back.</summary>
    ContractOverTarget = 2,

    /// <summary>The contract is no longer active; its miners go back to the house pool.</summary>
    ContractEnded = 3,

    /// <summary>The operator drained the miner for maintenance.</summary>
    MinerDrained = 4,

    /// <summary>The miner is offline, degraded or quarantined.</summary>
    MinerUnhealthy = 5,

    /// <summary>Every miner of the miner's rack went offline at once.</summary>
    RackLostPower = 6,

    /// <summary>The miner no longer appears in the fleet.</summary>
    MinerGone = 7,

    /// <summary>Unsold hashrate goes to the operator's own pool.</summary>
    UnsoldToHouse = 8,
}
