namespace CloudMining.Farm.Agent.Configuration;

/// <summary>A group of rack fans driven by one PWM channel, with optional tachometers.</summary>
public sealed class FanGroupOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>PWM chip number under {SysfsRoot}/class/pwm/pwmchipN.</summary>
    public int PwmChip { get; set; }

    public int PwmChannel { get; set; }
}
