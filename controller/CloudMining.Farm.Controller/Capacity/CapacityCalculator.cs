using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Capacity;

/// <summary>Carves measured, healthy, non-drained hashrate into sellable units and refuses to sell beyond them.</summary>
public sealed class CapacityCalculator
{
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
    public long UnitsFor(Hashrate target) => (long)Math.Ceiling((target / _options.UnitSize) - UnitRoundingSlack);

    /// <summary>Capacity of the fleet with the given contracts already sold.</summary>
    public CapacitySnapshot Compute(IEnumerable<Miner> miners, IEnumerable<Contract> soldContracts)
    {
        ArgumentNullException.ThrowIfNull(miners);
        ArgumentNullException.ThrowIfNull(soldContracts);
        double measured = 0;
        foreach (Miner m in miners)
        {
            measured += m.SellableHashrate.HashesPerSecond;
        }

        double reserve = Math.Min(measured, (measured * _options.ReservePercent / 100) + _options.ReserveAbsolute.HashesPerSecond);
        long total = (long)Math.Floor((measured - reserve) / _options.UnitSize.HashesPerSecond);
        long sold = 0;
        foreach (Contract c in soldContracts)
        {
            sold += UnitsFor(c.Target);
        }

        return new CapacitySnapshot(new Hashrate(measured), new Hashrate(reserve), _options.UnitSize, Math.Max(0, total), sold);
    }

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
