namespace CloudMining.Farm.Agent.Configuration;

/// <summary>A rack temperature sensor: a 1-wire DS18B20 or an hwmon input, placed at the inlet or the exhaust.</summary>
public sealed class SensorOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>"inlet" or "exhaust".</summary>
    public string Position { get; set; } = string.Empty;

    /// <summary>"ds18b20" or "hwmon".</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>DS18B20 id ("28-0000012345ab") or hwmon input ("hwmon1/temp2_input").</summary>
    public string Device { get; set; } = string.Empty;
}
