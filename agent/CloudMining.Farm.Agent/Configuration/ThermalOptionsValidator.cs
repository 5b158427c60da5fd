using System.Globalization;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Gpio.Sensors;

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>
/// Checks the fan and sensor entries of the hardware map and Agent:Thermal before the agent starts: duplicate names or
/// PWM channels, unknown positions or kinds, devices missing under SysfsRoot, curves that fall. Every error names the entry.
/// </summary>
public static class ThermalOptionsValidator
{
    private const string Fans = AgentOptions.SectionName + ":Hardware:Fans";
    private const string Sensors = AgentOptions.SectionName + ":Hardware:Sensors";
    private const string Thermal = AgentOptions.SectionName + ":Thermal";

    /// <summary>All problems, one sentence each, in the order of the file.</summary>
    public static List<string> Check(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var layout = SysfsLayout.From(options.Hardware);
        if (options.Hardware.Fans.Count + options.Hardware.Sensors.Count > 0 && string.IsNullOrWhiteSpace(options.Hardware.SysfsRoot))
        {
            errors.Add($"{AgentOptions.SectionName}:Hardware:SysfsRoot: is empty; leave it out for \"/sys\".");
            return errors;
        }

        CheckFans(options.Hardware.Fans, layout, errors);
        CheckSensors(options.Hardware.Sensors, layout, errors);
        CheckThermal(options.Thermal, errors);
        return errors;
    }

    private static void CheckFans(IList<FanGroupOptions> fans, SysfsLayout layout, List<string> errors)
    {
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var outputs = new Dictionary<(int Chip, int Channel), int>();
        for (int i = 0; i < fans.Count; i++)
        {
            FanGroupOptions f = fans[i];
            string key = $"{Fans}:{i}";
            if (f is null)
            {
                errors.Add($"{key}: is empty; write {{ \"Name\": \"front\", \"PwmChip\": 0, \"PwmChannel\": 0 }} or remove the entry.");
                continue;
            }

            string label = string.IsNullOrWhiteSpace(f.Name) ? key : $"{key} (\"{f.Name}\")";
            if (string.IsNullOrWhiteSpace(f.Name))
            {
                errors.Add($"{key}:Name: is missing; name the fan group as the technician knows it, e.g. \"front\".");
            }
            else if (!names.TryAdd(f.Name.Trim(), i))
            {
                errors.Add($"{key}:Name: '{f.Name}' is already used by {Fans}:{names[f.Name.Trim()]}; give every fan group its own name.");
            }

            if (f.PwmChip < 0 || f.PwmChannel < 0)
            {
                errors.Add($"{label}: PwmChip {f.PwmChip} / PwmChannel {f.PwmChannel} must not be negative; write the N of pwmchipN and the M of pwmM.");
            }
            else if (outputs.TryGetValue((f.PwmChip, f.PwmChannel), out int other))
            {
                errors.Add($"{label}:PwmChannel: pwmchip{f.PwmChip}/pwm{f.PwmChannel} is already driven by {Fans}:{other} (\"{fans[other].Name}\"); two groups cannot share one PWM output — correct the channel or merge the groups.");
            }
            else
            {
                outputs[(f.PwmChip, f.PwmChannel)] = i;
                string chip = Path.Combine(layout.PwmRoot, "pwmchip" + f.PwmChip.ToString(CultureInfo.InvariantCulture));
                if (!Directory.Exists(chip))
                {
                    errors.Add($"{label}:PwmChip: {chip} does not exist; enable the PWM overlay (e.g. dtoverlay=pwm-2chan on a Pi), check the chip number with `ls {layout.PwmRoot}`, or Agent:Hardware:SysfsRoot.");
                }
            }

            if (f.FrequencyHz is < 1 or > 1_000_000)
            {
                errors.Add($"{label}:FrequencyHz: {f.FrequencyHz} is outside 1 to 1000000; 4-wire fans want 25000.");
            }

            if (!double.IsFinite(f.MinDutyPercent) || f.MinDutyPercent is < 0 or > 100)
            {
                errors.Add($"{label}:MinDutyPercent: {Number(f.MinDutyPercent)} is outside 0 to 100; write the lowest duty the fans still turn at, e.g. 30.");
            }

            if (f.MinRpm is < 0 or > 50_000)
            {
                errors.Add($"{label}:MinRpm: {f.MinRpm} is outside 0 to 50000; write the speed under which a fan driven hard counts as failed, e.g. 500.");
            }

            if (!string.IsNullOrWhiteSpace(f.Tachometer))
            {
                if (!HwmonInput.TryParse(f.Tachometer, out HwmonInput? tach) || tach!.Kind != HwmonInput.FanKind)
                {
                    errors.Add($"{label}:Tachometer: '{f.Tachometer}' is not an hwmon fan input; write \"CHIP/fanN_input\", e.g. \"emc2301/fan1_input\", or leave it out.");
                }
                else
                {
                    CheckHwmonFile(tach, layout, $"{label}:Tachometer", errors);
                }
            }
        }
    }

    private static void CheckSensors(IList<SensorOptions> sensors, SysfsLayout layout, List<string> errors)
    {
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var devices = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < sensors.Count; i++)
        {
            SensorOptions s = sensors[i];
            string key = $"{Sensors}:{i}";
            if (s is null)
            {
                errors.Add($"{key}: is empty; write {{ \"Name\": \"exhaust-top\", \"Position\": \"exhaust\", \"Kind\": \"ds18b20\", \"Device\": \"28-...\" }} or remove the entry.");
                continue;
            }

            string label = string.IsNullOrWhiteSpace(s.Name) ? key : $"{key} (\"{s.Name}\")";
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors.Add($"{key}:Name: is missing; name the sensor by where it sits, e.g. \"exhaust-top\".");
            }
            else if (!names.TryAdd(s.Name.Trim(), i))
            {
                errors.Add($"{key}:Name: '{s.Name}' is already used by {Sensors}:{names[s.Name.Trim()]}; give every sensor its own name.");
            }

            if (RackSensor.ParsePosition(s.Position) is null)
            {
                errors.Add($"{label}:Position: '{s.Position}' is not a known position; write \"inlet\" or \"exhaust\".");
            }

            if (string.IsNullOrWhiteSpace(s.Device))
            {
                errors.Add($"{label}:Device: is missing; write the DS18B20 id (see `ls /sys/bus/w1/devices`) or the hwmon input, e.g. \"nct6775/temp2_input\".");
                continue;
            }

            if (!devices.TryAdd(s.Kind.Trim() + ":" + s.Device.Trim(), i))
            {
                errors.Add($"{label}:Device: '{s.Device}' is already read by {Sensors}:{devices[s.Kind.Trim() + ":" + s.Device.Trim()]}; one device is one sensor.");
            }

            if (string.Equals(s.Kind, SensorOptions.Ds18b20Kind, StringComparison.OrdinalIgnoreCase))
            {
                string dir = Path.Combine(layout.W1Root, s.Device.Trim());
                if (!File.Exists(Path.Combine(dir, "w1_slave")) && !File.Exists(Path.Combine(dir, "temperature")))
                {
                    errors.Add($"{label}:Device: DS18B20 '{s.Device}' is not on the bus ({dir}/w1_slave does not exist); check the probe is plugged in, its id with `ls {layout.W1Root}`, and that the w1-gpio overlay and w1_therm module are loaded.");
                }
            }
            else if (string.Equals(s.Kind, SensorOptions.HwmonKind, StringComparison.OrdinalIgnoreCase))
            {
                if (!HwmonInput.TryParse(s.Device, out HwmonInput? input) || input!.Kind != HwmonInput.TemperatureKind)
                {
                    errors.Add($"{label}:Device: '{s.Device}' is not an hwmon temperature input; write \"CHIP/tempN_input\", e.g. \"nct6775/temp2_input\" (CHIP is the device's name file, or hwmonN).");
                }
                else
                {
                    CheckHwmonFile(input, layout, $"{label}:Device", errors);
                }
            }
            else
            {
                errors.Add($"{label}:Kind: '{s.Kind}' is not a known sensor kind; write \"ds18b20\" or \"hwmon\".");
            }
        }
    }

    private static void CheckHwmonFile(HwmonInput input, SysfsLayout layout, string key, List<string> errors)
    {
        try
        {
            string path = input.PathUnder(layout.HwmonRoot);
            if (!File.Exists(path))
            {
                errors.Add($"{key}: {path} does not exist; check the channel number with `ls {Path.GetDirectoryName(path)}`.");
            }
        }
        catch (SensorReadException e)
        {
            errors.Add($"{key}: {e.Message}");
        }
    }

    private static void CheckThermal(ThermalOptions t, List<string> errors)
    {
        if (t.ControlInterval < TimeSpan.FromSeconds(1) || t.ControlInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Thermal}:ControlInterval: '{t.ControlInterval}' is outside 00:00:01 to 00:05:00; write e.g. \"00:00:05\".");
        }

        CheckCurve(t.InletCurve, $"{Thermal}:InletCurve", errors);
        CheckCurve(t.ExhaustCurve, $"{Thermal}:ExhaustCurve", errors);
        CheckCurve(t.ChipCurve, $"{Thermal}:ChipCurve", errors);
        Range(t.HysteresisCelsius, 0, 20, $"{Thermal}:HysteresisCelsius", "e.g. 3", errors);
        Range(t.FanFailureAboveDutyPercent, 0, 100, $"{Thermal}:FanFailureAboveDutyPercent", "e.g. 40", errors);
        if (t.FanFailureReads is < 1 or > 1000)
        {
            errors.Add($"{Thermal}:FanFailureReads: {t.FanFailureReads} is outside 1 to 1000; write e.g. 3.");
        }

        Range(t.MinerChipLimitCelsius, 40, 130, $"{Thermal}:MinerChipLimitCelsius", "e.g. 85 (see the miner's manual)", errors);
        NotNegative(t.MinerGracePeriod, $"{Thermal}:MinerGracePeriod", "\"00:01:00\"", errors);
        NotNegative(t.OverTemperatureCoolDown, $"{Thermal}:OverTemperatureCoolDown", "\"00:15:00\", or \"00:00:00\" to keep a cut miner off", errors);
        Range(t.RackExhaustLimitCelsius, 20, 100, $"{Thermal}:RackExhaustLimitCelsius", "e.g. 60", errors);
        NotNegative(t.RackGracePeriod, $"{Thermal}:RackGracePeriod", "\"00:01:00\"", errors);
        Range(t.RackHysteresisCelsius, 0, 30, $"{Thermal}:RackHysteresisCelsius", "e.g. 5", errors);
        if (t.ShedStep is < 1 or > 1000)
        {
            errors.Add($"{Thermal}:ShedStep: {t.ShedStep} is outside 1 to 1000; write how many miners to switch off per step, e.g. 1.");
        }

        NotNegative(t.ShedSettleTime, $"{Thermal}:ShedSettleTime", "\"00:02:00\"", errors);
        NotNegative(t.RestoreGap, $"{Thermal}:RestoreGap", "\"00:01:00\"", errors);
    }

    private static void CheckCurve(IList<FanCurvePointOptions> curve, string key, List<string> errors)
    {
        if (curve.Count == 0)
        {
            return;
        }

        if (curve.Count < 2)
        {
            errors.Add($"{key}: has one point; a curve needs at least two, from cool to hot, e.g. [{{ \"TemperatureCelsius\": 40, \"DutyPercent\": 30 }}, {{ \"TemperatureCelsius\": 55, \"DutyPercent\": 100 }}], or leave it out for the built-in curve.");
        }

        for (int i = 0; i < curve.Count; i++)
        {
            FanCurvePointOptions p = curve[i];
            if (p is null)
            {
                errors.Add($"{key}:{i}: is empty; write {{ \"TemperatureCelsius\": ..., \"DutyPercent\": ... }}.");
                return;
            }

            if (!double.IsFinite(p.TemperatureCelsius) || p.TemperatureCelsius is < -50 or > 150)
            {
                errors.Add($"{key}:{i}:TemperatureCelsius: {Number(p.TemperatureCelsius)} is outside -50 to 150 °C.");
            }

            if (!double.IsFinite(p.DutyPercent) || p.DutyPercent is < 0 or > 100)
            {
                errors.Add($"{key}:{i}:DutyPercent: {Number(p.DutyPercent)} is outside 0 to 100.");
            }

            if (i == 0 || curve[i - 1] is not { } prev)
            {
                continue;
            }

            if (p.TemperatureCelsius <= prev.TemperatureCelsius)
            {
                errors.Add($"{key}:{i}:TemperatureCelsius: {Number(p.TemperatureCelsius)} is not above the previous point's {Number(prev.TemperatureCelsius)}; list the points from cool to hot.");
            }
            else if (p.DutyPercent < prev.DutyPercent)
            {
                errors.Add($"{key}:{i}:DutyPercent: {Number(p.DutyPercent)} is below the previous point's {Number(prev.DutyPercent)}; the curve is not monotonic — a hotter point must not ask for less air.");
            }
        }
    }

    private static void Range(double value, double min, double max, string key, string example, List<string> errors)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            errors.Add($"{key}: {Number(value)} is outside {Number(min)} to {Number(max)}; write {example}.");
        }
    }

    private static void NotNegative(TimeSpan value, string key, string example, List<string> errors)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{key}: '{value}' is negative; write {example}.");
        }
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
