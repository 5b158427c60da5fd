namespace CloudMining.Farm.Controller.Fleet;

/// <summary>Plausible maxima of one miner model ("Controller:Engine:Readings:Models:{model}"), overriding the nominal-based rule.</summary>
public sealed class ModelReadingLimits
{
    /// <summary>Highest hashrate this model can report, TH/s; unset: the nominal-based rule or the absolute ceiling applies.</summary>
    public double? MaxHashrateTh { get; set; }

    /// <summary>Highest power this model can draw, W; unset: the absolute power ceiling applies.</summary>
    public double? MaxPowerW { get; set; }
}
