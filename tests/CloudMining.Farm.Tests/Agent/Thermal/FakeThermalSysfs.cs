using System.Globalization;
using CloudMining.Farm.Tests.Gpio;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>A fake /sys with the PWM, 1-wire and hwmon files the fan loop reads and writes, in the kernel's own formats.</summary>
public sealed class FakeThermalSysfs : IDisposable
{
    private readonly FakeSysfsTree _tree = new();

    public string Root => _tree.Root;

    /// <summary>An exported PWM channel, disabled, as the kernel leaves it after `echo N > export`.</summary>
    public void AddPwmChannel(int chip, int channel)
    {
        _tree.Write($"class/pwm/pwmchip{chip}/npwm", "2\n");
        _tree.Write($"class/pwm/pwmchip{chip}/export", "");
        _tree.Write($"class/pwm/pwmchip{chip}/pwm{channel}/period", "0\n");
        _tree.Write($"class/pwm/pwmchip{chip}/pwm{channel}/duty_cycle", "0\n");
        _tree.Write($"class/pwm/pwmchip{chip}/pwm{channel}/enable", "0\n");
    }

    /// <summary>Duty as the fan sees it: duty_cycle over period, in percent; NaN while a writer is half-way through the file.</summary>
    /// <remarks>Real sysfs attribute writes are atomic, plain files are not: a test reading while the agent writes may see an empty file.</remarks>
    public double DutyPercent(int chip, int channel)
    {
        bool ok = long.TryParse(_tree.Read($"class/pwm/pwmchip{chip}/pwm{channel}/period").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long period);
        ok &= long.TryParse(_tree.Read($"class/pwm/pwmchip{chip}/pwm{channel}/duty_cycle").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long duty);
        return !ok ? double.NaN : period == 0 ? 0 : Math.Round(100.0 * duty / period, 2);
    }

    public bool Enabled(int chip, int channel) => _tree.Read($"class/pwm/pwmchip{chip}/pwm{channel}/enable").Trim() == "1";

    /// <summary>Writes a good w1_therm reading (CRC YES, t= millidegrees) for the probe.</summary>
    public void SetDs18b20(string id, double celsius)
    {
        int milli = (int)Math.Round(celsius * 1000);
        _tree.Write($"bus/w1/devices/{id}/w1_slave",
            $"72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t={milli.ToString(CultureInfo.InvariantCulture)}\n");
    }

    public void WriteDs18b20Raw(string id, string content) => _tree.Write($"bus/w1/devices/{id}/w1_slave", content);

    /// <summary>The probe unplugged: w1_therm removes its folder.</summary>
    public void UnplugDs18b20(string id) => Directory.Delete(_tree.PathOf($"bus/w1/devices/{id}"), recursive: true);

    public void AddHwmon(int number, string name) => _tree.Write($"class/hwmon/hwmon{number}/name", name + "\n");

    public void SetHwmonTemperature(int number, int channel, double celsius) =>
        _tree.Write($"class/hwmon/hwmon{number}/temp{channel}_input", ((long)Math.Round(celsius * 1000)).ToString(CultureInfo.InvariantCulture) + "\n");

    public void SetFanRpm(int number, int channel, int rpm) =>
        _tree.Write($"class/hwmon/hwmon{number}/fan{channel}_input", rpm.ToString(CultureInfo.InvariantCulture) + "\n");

    public void Dispose() => _tree.Dispose();
}
