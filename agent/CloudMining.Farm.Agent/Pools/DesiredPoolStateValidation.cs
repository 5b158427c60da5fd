using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// What <see cref="DesiredPoolStateValidator"/> found: <see cref="Problems"/> make the state unusable as a whole (wrong
/// site or rack, an older generation, no miner list); otherwise <see cref="Accepted"/> are the entries that passed every
/// check and may be applied, and <see cref="Rejected"/> the entries that did not (they are reported, never applied).
/// </summary>
public sealed record DesiredPoolStateValidation(IReadOnlyList<string> Problems, IReadOnlyList<MinerPoolAssignment> Accepted, IReadOnlyList<RejectedMinerEntry> Rejected)
{
    /// <summary>True when the state as a whole may be taken (some of its entries may still be rejected).</summary>
    public bool IsUsable => Problems.Count == 0;
}
