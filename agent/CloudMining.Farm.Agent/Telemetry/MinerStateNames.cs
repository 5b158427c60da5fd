using CloudMining.Farm.Agent.Polling;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>Maps the agent's detailed health states onto the contract's miner states (farm.v1.miner-state).</summary>
public static class MinerStateNames
{
    public const string Hashing = "hashing";
    public const string Degraded = "degraded";
    public const string Idle = "idle";
    public const string Unreachable = "unreachable";

    /// <summary>The contract state for a health state, or null before the first poll (nothing is known yet).</summary>
    public static string? For(MinerHealthState state) => state switch
    {
        MinerHealthState.Unknown => null,
        MinerHealthState.Ok => Hashing,
        MinerHealthState.Degraded => Degraded,
        MinerHealthState.NotHashing => Idle,

        // A miner that answers with errors, garbage or not at all cannot be managed: for the fleet it is unreachable;
        // the exact cause travels in the payload's reason.
        _ => Unreachable,
    };
}
