namespace CloudMining.Farm.Controller.Allocation;

/// <summary>Knobs of the allocator: how finely miners may be split and how much drift is tolerated before anything moves.</summary>
public sealed record AllocatorOptions
{
    /// <summary>Most pools one miner may be split between, the house pool included (firmwares handle a few quota pools well).</summary>
    public int MaxPoolsPerMiner { get; init; } = 3;

    /// <summary>Quota granularity as a fraction of a miner; shares are rounded up to it so contracts are never short by rounding.</summary>
    public double QuotaResolution { get; init; } = 0.001;

    /// <summary>Relative drift of a contract's allocated hashrate below or above its target that causes no move (measurement noise).</summary>
    public double Tolerance { get; init; } = 0.005;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (MaxPoolsPerMiner is < 2 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPoolsPerMiner), MaxPoolsPerMiner, "Allow between 2 and 8 pools per miner (one contract share plus the house pool at least).");
        }

        if (!(QuotaResolution is > 0 and <= 0.1))
        {
            throw new ArgumentOutOfRangeException(nameof(QuotaResolution), QuotaResolution, "The quota resolution must be in (0, 0.1], e.g. 0.001 for 0.1 % steps.");
        }

        if (!(Tolerance is >= 0 and < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "The tolerance must be in [0, 0.5), e.g. 0.005 for 0.5 %.");
        }
    }
}
