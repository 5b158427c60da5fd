using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Fleet;

/// <summary>
/// The one place where the wire's miner state (what the agent says, <see cref="MinerState"/>) becomes the controller's
/// judgement (<see cref="MinerHealth"/>, what may be sold). Only a hashing miner that measures hashrate is healthy.
/// </summary>
public static class MinerHealthMap
{
    /// <summary>The health a miner's reported state allows; <paramref name="state"/> null means no state message yet (telemetry decides).</summary>
    public static MinerHealth FromWire(MinerState? state, double measuredHs) => state switch
    {
        null or MinerState.Hashing => measuredHs > 0 ? MinerHealth.Healthy : MinerHealth.Offline,
        MinerState.Degraded => MinerHealth.Degraded,
        MinerState.Idle or MinerState.Unreachable or MinerState.Restarting or MinerState.PoweredOff => MinerHealth.Offline,

        // A state a newer agent added: not sold until this controller knows what it means.
        _ => MinerHealth.Degraded,
    };
}
