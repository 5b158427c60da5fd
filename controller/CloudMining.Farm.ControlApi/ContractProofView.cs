using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.ControlApi;

/// <summary>
/// A contract's proof of delivery over [From, To): per hour what was owed, what we and the pool measured, the miners
/// that served it, energy and fees; and the closed settlements of the range. Carries no secret (no pool key).
/// </summary>
public sealed record ContractProofView(
    string ContractId,
    string Customer,
    ContractStatus Status,
    double TargetHs,
    double? DeliveredHs,
    string PoolUrl,
    string Worker,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<ProofHourView> Hours,
    IReadOnlyList<SettlementView> Settlements,
    IReadOnlyList<ShareView> Miners)
{
    /// <summary>The pool API the controller reads the pool's own figure from ("braiins", "f2pool", "hashrate-only"); null without a pool watch.</summary>
    public string? PoolWatch { get; init; }
}
