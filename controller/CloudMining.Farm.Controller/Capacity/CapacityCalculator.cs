using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Capacity;

/// <summary>Carves measured, healthy, non-drained hashrate into sellable units and refuses to sell beyond them.</summary>
public sealed class CapacityCalculator
{
    /// <summary>
    /// Most units any count can reach (10^15: a million EH/s in 1 GH/s units). Unit counts are clamped to it, so sums of
    /// them cannot overflow a long and no extreme reading or target turns into long.MaxValue units.
    /// </summary>
    public const long MaxUnits = 1_000_000_000_000_000;

    // A target of 99.9999999 units is 100 units written with floating-point noise, not 101.
    private const double UnitRoundingSlack = 1e-6;

    private readonly CapacityOptions _options;

    public CapacityCalculator(CapacityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Units a contract of <paramref name="target"/> occupies: partial units count as whole, so capacity never leaks.</summary>
    /// <remarks>Any positive target takes at least one unit and at most <see cref="MaxUnits"/>.</remarks>
    public long UnitsFor(Hashrate target) =>
        target.HashesPerSecond > 0 ? Math.Max(1, ToUnits(Math.Ceiling((target / _options.UnitSize) - UnitRoundingSlack))) : 0;

    /// <summary>Capacity of the fleet with the given contracts already sold.</summary>
    public CapacitySnapshot Compute(IEnumerable<Miner> miners, IEnumerable<Contract> soldContracts)
    {
        ArgumentNullException.ThrowIfNull(miners);
        ArgumentNullException.ThrowIfNull(soldContracts);
        // A sellable miner measures at most Miner.HashrateLimitHs, so this sum stays finite for any fleet that fits in memory.
        double measured = 0;
        foreach (Miner m in miners)
        {
            double hs = m.SellableHashrate.HashesPerSecond;
            if (hs is > 0 and <= Miner.HashrateLimitHs)
            {
                measured += hs;
            }
        }

        double reserve = Math.Min(measured, (measured * _options.ReservePercent / 100) + _options.ReserveAbsolute.HashesPerSecond);
        long total = ToUnits(Math.Floor((measured - reserve) / _options.UnitSize.HashesPerSecond));
        long sold = 0;
        foreach (Contract c in soldContracts)
        {
            // Each term is at most MaxUnits, so the sum cannot overflow before it is clamped.
            sold = Math.Min(MaxUnits, sold + UnitsFor(c.Target));
        }

        return new CapacitySnapshot(new Hashrate(measured), new Hashrate(reserve), _options.UnitSize, total, sold);
    }

    /// <summary>A unit count from floating point: NaN and negatives are 0, anything at or above <see cref="MaxUnits"/> is <see cref="MaxUnits"/>.</summary>
    internal static long ToUnits(double units) => units >= MaxUnits ? MaxUnits : units > 0 ? (long)units : 0;

    /// <summary>Checks that a new contract fits the free units; throws <see cref="CapacityExceededException"/> saying how much is free otherwise.</summary>
    public void EnsureSellable(CapacitySnapshot capacity, Hashrate target)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        long units = UnitsFor(target);
        if (units > capacity.UnitsFree)
        {
            throw new CapacityExceededException(units, capacity.UnitsFree, capacity.UnitSize);
        }
    }
}
