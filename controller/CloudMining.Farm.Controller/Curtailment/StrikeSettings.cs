namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// A site's strike price (per MWh, in the tariff's currency): above it the house curtails; it restores only once the price
/// is <see cref="Hysteresis"/> below the strike. <see cref="MinRunning"/> and <see cref="MinCurtailed"/> are the
/// shortest times the site stays in either state, so a price that flaps around the strike cannot flap the miners.
/// </summary>
public sealed record StrikeSettings(decimal Strike, decimal Hysteresis, TimeSpan MinRunning, TimeSpan MinCurtailed)
{
    /// <summary>Throws naming the field unless the hysteresis and both minimum times are zero or more.</summary>
    public StrikeSettings Validated() =>
        Hysteresis < 0 ? throw new ArgumentOutOfRangeException(nameof(Hysteresis), Hysteresis, "The hysteresis must be zero or more (per MWh).")
        : MinRunning < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(MinRunning), MinRunning, "The minimum running time must be zero or more.")
        : MinCurtailed < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(MinCurtailed), MinCurtailed, "The minimum curtailed time must be zero or more.")
        : this;
}
