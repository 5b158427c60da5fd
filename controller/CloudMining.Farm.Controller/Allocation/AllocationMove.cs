namespace CloudMining.Farm.Controller.Allocation;

/// <summary>One miner whose pool shares change, from what to what, and why — the line `farmctl rebalance --dry-run` prints.</summary>
/// <param name="MinerId">The miner that changes.</param>
/// <param name="Rack">Its rack, so an operator sees where the work happens.</param>
/// <param name="From">Shares before the plan (empty when the miner had none).</param>
/// <param name="To">Shares after the plan (empty when the miner gets none, e.g. drained).</param>
/// <param name="Kind">Machine-readable reason.</param>
/// <param name="Reason">Human-readable reason, e.g. "contract c7 under target by 12.00 TH/s after rack r2 lost power".</param>
/// <param name="IsPoolSwitch">True when the set of pools changes (costs stale shares); false for a quota-only change.</param>
public sealed record AllocationMove(
    string MinerId,
    string Rack,
    IReadOnlyList<PoolShare> From,
    IReadOnlyList<PoolShare> To,
    MoveReason Kind,
    string Reason,
    bool IsPoolSwitch)
{
    public override string ToString() =>
        $"{MinerId} ({Rack}): {Describe(From)} -> {Describe(To)} — {Reason}";

    private static string Describe(IReadOnlyList<PoolShare> shares) =>
        shares.Count == 0 ? "(none)" : string.Join(" + ", shares);
}
