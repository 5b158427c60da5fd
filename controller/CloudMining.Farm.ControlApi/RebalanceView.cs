namespace CloudMining.Farm.ControlApi;

/// <summary>A rebalance plan, applied or not, with every move explained.</summary>
public sealed record RebalanceView(bool Applied, long Version, int PoolSwitches, int QuotaAdjustments, double ShortfallHs, IReadOnlyList<MoveView> Moves);
