namespace CloudMining.Farm.Agent.Configuration;

/// <summary>A group of rack fans driven by one PWM channel, with an optional tachometer for the fan failure alarm.</summary>
public sealed class FanGroupOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>PWM chip number under {SysfsRoot}/class/pwm/pwmchipN.</summary>
    public int PwmChip { get; set; }

    public int PwmChannel { get; set; }

    /// <summary>PWM frequency in hertz (the period is its inverse); 25 kHz, a 40 µs period, is the 4-wire fan standard.</summary>
    public int FrequencyHz { get; set; } = 25_000;

    /// <summary>The duty the group never goes below, in percent: some fans stall under it, and still air hides hot spots.</summary>
    public double MinDutyPercent { get; set; } = 30;

    /// <summary>
    /// The group's tachometer as an hwmon fan input, "CHIP/fanN_input" where CHIP is the hwmon device's name (e.g.
    /// "emc2301/fan1_input", stable across boots) or its hwmonN folder; empty when the group has no tachometer.
    /// </summary>
    public string? Tachometer { get; set; }

    /// <summary>Below this speed, while the group is driven hard, the fan counts as failed.</summary>
    public int MinRpm { get; set; } = 500;
}
