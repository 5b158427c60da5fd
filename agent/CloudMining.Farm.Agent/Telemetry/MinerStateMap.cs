using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>Maps the agent's detailed health states onto the wire's miner states (farm.v1.miner-state).</summary>
public static class MinerStateMap
{
    /// <summary>The wire state for a health state, or null before the first poll (nothing is known yet).</summary>
    public static MinerState? ToWireState(this MinerHealthState state) => state switch
    {
        MinerHealthState.Unknown => null,
        MinerHealthState.Ok => MinerState.Hashing,
        MinerHealthState.Degraded => MinerState.Degraded,
        MinerHealthState.NotHashing => MinerState.Idle,

        // A miner that answers with errors, garbage or not at all cannot be managed: for the fleet it is unreachable;
        // the exact cause travels in the payload's reason.
        _ => MinerState.Unreachable,
    };
}
