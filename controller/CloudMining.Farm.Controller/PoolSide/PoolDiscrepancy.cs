namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// The pool's figure for a contract's worker has disagreed with ours by more than the tolerance since
/// <paramref name="Since"/>, noticed at <paramref name="At"/>: <paramref name="Deviation"/> = (pool − ours) / ours.
/// </summary>
public sealed record PoolDiscrepancy(string ContractId, string Worker, double OursHs, double PoolHs, double Deviation, DateTimeOffset Since, DateTimeOffset At);
