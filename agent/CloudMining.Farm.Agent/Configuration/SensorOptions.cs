namespace CloudMining.Farm.Agent.Configuration;

/// <summary>A rack temperature sensor: a 1-wire DS18B20 or an hwmon input, placed at the inlet or the exhaust.</summary>
public sealed class SensorOptions
{
    public const string InletPosition = "inlet";

    public const string ExhaustPosition = "exhaust";

    public const string Ds18b20Kind = "ds18b20";

    public const string HwmonKind = "hwmon";

    public string Name { get; set; } = string.Empty;

    /// <summary>"inlet" or "exhaust".</summary>
    public string Position { get; set; } = string.Empty;

    /// <summary>"ds18b20" or "hwmon".</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>
    /// DS18B20 id ("28-0000012345ab", under {SysfsRoot}/bus/w1/devices) or hwmon input "CHIP/tempN_input" where CHIP is
    /// the device's name ("nct6775/temp2_input", stable across boots) or its hwmonN folder ("hwmon1/temp2_input").
    /// </summary>
    public string Device { get; set; } = string.Empty;
}
