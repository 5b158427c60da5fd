namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// The site's curtailment settings: strike price per MWh (null: no price curtailment until an operator gives one),
/// hysteresis and minimum times of the strike gate, the tariff schedule file, the planner's power-target floor, and the
/// staggered restore (wave size and interval).
/// </summary>
public sealed class CurtailmentOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Controller:Curtailment";

    public decimal? Strike { get; set; }

    public decimal Hysteresis { get; set; } = 10m;

    public TimeSpan MinRunning { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan MinCurtailed { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Time-of-use tariff (docs/curtailment.md); null: no tariff.</summary>
    public string? TariffFile { get; set; }

    public double PowerTargetFloor { get; set; } = CurtailmentSettings.Default.PowerTargetFloor;

    /// <summary>What a sleeping miner still draws as a fraction of its running power, until telemetry measures it; [0, 0.5).</summary>
    public double SleepDrawFraction { get; set; } = CurtailmentSettings.Default.SleepDrawFraction;

    /// <summary>Power a restore wave may bring back at once, kW.</summary>
    public double RestoreWaveKw { get; set; } = 50;

    public TimeSpan RestoreInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an operator's demand-response event lasts when no duration is given.</summary>
    public TimeSpan DefaultEventDuration { get; set; } = TimeSpan.FromHours(1);
}
