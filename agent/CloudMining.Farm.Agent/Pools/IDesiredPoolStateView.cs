using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// The validated desired pool state the agent currently holds for its rack (from the controller, kept on disk), for
/// parts of the agent that need to know what a miner is for — thermal load shedding cuts unsold miners
/// (<see cref="MinerPoolAssignment.ContractId"/> null) before miners serving contracts.
/// </summary>
public interface IDesiredPoolStateView
{
    /// <summary>Null until a valid desired state was received or loaded from disk.</summary>
    DesiredPoolStatePayload? Current { get; }
}
