namespace CloudMining.Farm.Agent.Configuration;

/// <summary>
/// How the agent cools its rack and protects it from heat (Agent:Thermal): the fan curves, the miner chip limit, the
/// rack exhaust limit and how load is shed and restored. Used only when Agent:Hardware lists fans or sensors.
/// </summary>
public sealed class ThermalOptions
{
    /// <summary>Built-in inlet curve, used while <see cref="InletCurve"/> is empty: 20 °C → 30 %, 30 °C → 60 %, 38 °C → 100 %.</summary>
    public static readonly IReadOnlyList<(double TemperatureCelsius, double DutyPercent)> DefaultInletCurve = [(20, 30), (30, 60), (38, 100)];

    /// <summary>Built-in exhaust curve: 40 °C → 30 %, 50 °C → 60 %, 58 °C → 100 %.</summary>
    public static readonly IReadOnlyList<(double TemperatureCelsius, double DutyPercent)> DefaultExhaustCurve = [(40, 30), (50, 60), (58, 100)];

    /// <summary>Built-in chip curve (hottest chip of any miner): 65 °C → 30 %, 75 °C → 60 %, 82 °C → 100 %.</summary>
    public static readonly IReadOnlyList<(double TemperatureCelsius, double DutyPercent)> DefaultChipCurve = [(65, 30), (75, 60), (82, 100)];

    /// <summary>How often sensors are read and fan duty is set; also the pace of thermal protection.</summary>
    public TimeSpan ControlInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Duty for the hottest inlet sensor; empty uses <see cref="DefaultInletCurve"/>.</summary>
    public IList<FanCurvePointOptions> InletCurve { get; } = new List<FanCurvePointOptions>();

    /// <summary>Duty for the hottest exhaust sensor; empty uses <see cref="DefaultExhaustCurve"/>.</summary>
    public IList<FanCurvePointOptions> ExhaustCurve { get; } = new List<FanCurvePointOptions>();

    /// <summary>Duty for the hottest chip the miners report; empty uses <see cref="DefaultChipCurve"/>.</summary>
    public IList<FanCurvePointOptions> ChipCurve { get; } = new List<FanCurvePointOptions>();

    /// <summary>Duty follows a rising temperature at once but falls only after the temperature dropped this far, so fans do not hunt.</summary>
    public double HysteresisCelsius { get; set; } = 3;

    /// <summary>A group driven above this duty whose tachometer reads under its MinRpm counts toward a fan failure.</summary>
    public double FanFailureAboveDutyPercent { get; set; } = 40;

    /// <summary>Consecutive low tachometer reads (one per control interval) that raise the fan-failed alarm.</summary>
    public int FanFailureReads { get; set; } = 3;

    /// <summary>A miner whose hottest chip stays above this for <see cref="MinerGracePeriod"/> has its relay cut.</summary>
    public double MinerChipLimitCelsius { get; set; } = 85;

    public TimeSpan MinerGracePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a miner cut for over-temperature stays off before the agent powers it again; 00:00:00 keeps it off until the agent restarts or a technician powers it.</summary>
    public TimeSpan OverTemperatureCoolDown { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>When the hottest exhaust sensor stays above this for <see cref="RackGracePeriod"/>, the rack sheds load.</summary>
    public double RackExhaustLimitCelsius { get; set; } = 60;

    public TimeSpan RackGracePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Shed miners come back only once the exhaust is this far under <see cref="RackExhaustLimitCelsius"/>.</summary>
    public double RackHysteresisCelsius { get; set; } = 5;

    /// <summary>Miners switched off per shedding step.</summary>
    public int ShedStep { get; set; } = 1;

    /// <summary>Time for the exhaust to respond to a step before the next step (or the first restore) is decided.</summary>
    public TimeSpan ShedSettleTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gap between two restored miners, against inrush and so the exhaust can show the effect of each.</summary>
    public TimeSpan RestoreGap { get; set; } = TimeSpan.FromSeconds(60);
}
