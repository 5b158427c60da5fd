using CloudMining.Farm.Agent.Configuration;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>Where the kernel's PWM, 1-wire and hwmon trees sit under Agent:Hardware:SysfsRoot ("/sys" on a real box, a temp folder in tests).</summary>
public sealed record SysfsLayout(string Root)
{
    public string PwmRoot => Path.Combine(Root, "class", "pwm");

    public string W1Root => Path.Combine(Root, "bus", "w1", "devices");

    public string HwmonRoot => Path.Combine(Root, "class", "hwmon");

    public static SysfsLayout From(HardwareOptions hardware)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        return new SysfsLayout(hardware.SysfsRoot);
    }
}
