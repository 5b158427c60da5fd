namespace CloudMining.Farm.ControlApi;

/// <summary>What the farm can sell: measured healthy hashrate minus the reserve, in units.</summary>
public sealed record CapacityView(
    double MeasuredHealthyHs,
    double ReserveHs,
    double UnitSizeHs,
    long UnitsTotal,
    long UnitsSold,
    long UnitsFree,
    double FreeHs,
    int MinersHealthy,
    int MinersTotal)
{
    /// <summary>Miners left out of capacity because their readings are outside the physical envelope.</summary>
    public int MinersSuspect { get; init; }
}
