using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Capacity;

/// <summary>Capacity at one moment: measured hashrate, the reserve, and how many units exist, are sold and are free.</summary>
public sealed record CapacitySnapshot(
    Hashrate MeasuredHealthy,
    Hashrate Reserve,
    Hashrate UnitSize,
    long UnitsTotal,
    long UnitsSold)
{
    /// <summary>Units that may still be sold; never negative even when failures pushed sold units above the total.</summary>
    public long UnitsFree => Math.Max(0, UnitsTotal - UnitsSold);

    /// <summary>Hashrate of the free units.</summary>
    public Hashrate FreeHashrate => UnitSize * UnitsFree;

    /// <summary>Units sold beyond what the fleet now measures (after failures); the allocator will report the shortfall.</summary>
    public long UnitsOversubscribed => Math.Max(0, UnitsSold - UnitsTotal);
}
