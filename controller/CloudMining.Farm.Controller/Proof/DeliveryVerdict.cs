namespace CloudMining.Farm.Controller.Proof;

/// <summary>One evaluation of a contract's delivery: where it stands, its deviation, and whether it now warrants a rebalance.</summary>
/// <param name="Status">Under, over, within the tolerance, or unknown.</param>
/// <param name="Deviation">(delivered − target) / target; 0 when unknown.</param>
/// <param name="Rebalance">True exactly once per excursion: the deviation lasted the hold time while armed.</param>
public sealed record DeliveryVerdict(DeliveryStatus Status, double Deviation, bool Rebalance);
