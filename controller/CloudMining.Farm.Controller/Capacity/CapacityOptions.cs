using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Capacity;

/// <summary>How measured hashrate is carved into sellable units: the unit size and the reserve held back for failures.</summary>
public sealed record CapacityOptions
{
    /// <summary>Size of one sellable unit, e.g. 10 TH/s.</summary>
    public Hashrate UnitSize { get; init; } = Hashrate.FromTerahashes(10);

    /// <summary>Share of measured healthy hashrate held back for failures, 0..100 percent.</summary>
    public double ReservePercent { get; init; } = 5;

    /// <summary>Absolute hashrate held back on top of the percentage (e.g. one rack's worth).</summary>
    public Hashrate ReserveAbsolute { get; init; } = Hashrate.Zero;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the option when a value makes no sense.</summary>
    public void Validate()
    {
        if (!(UnitSize.HashesPerSecond > 0) || !double.IsFinite(UnitSize.HashesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(UnitSize), UnitSize, "The sellable unit size must be a positive hashrate such as 10 TH/s.");
        }

        if (!(ReservePercent is >= 0 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(ReservePercent), ReservePercent, "The reserve must be between 0 and 100 percent.");
        }

        if (ReserveAbsolute.HashesPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ReserveAbsolute), ReserveAbsolute, "The absolute reserve cannot be negative.");
        }
    }
}
