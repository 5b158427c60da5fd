namespace CloudMining.Farm.Agent.Configuration;

/// <summary>One point of a fan curve: at this temperature the fans run at this duty; between points the duty is interpolated.</summary>
public sealed class FanCurvePointOptions
{
    public double TemperatureCelsius { get; set; }

    public double DutyPercent { get; set; }
}
