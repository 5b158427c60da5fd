namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>One hour of a worker's hashrate as the pool's own history gives it (H/s averaged over the hour starting at <paramref name="Hour"/>).</summary>
public sealed record PoolHourFigure(DateTimeOffset Hour, double HashrateHs, double StaleHashrateHs);
