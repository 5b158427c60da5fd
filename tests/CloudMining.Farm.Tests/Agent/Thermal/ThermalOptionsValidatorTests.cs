using CloudMining.Farm.Agent.Configuration;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>The fan/sensor part of the hardware map and Agent:Thermal, checked against a fake sysfs tree.</summary>
public sealed class ThermalOptionsValidatorTests : IDisposable
{
    private readonly FakeThermalSysfs _sys = new();

    public ThermalOptionsValidatorTests()
    {
        _sys.AddPwmChannel(0, 0);
        _sys.AddPwmChannel(0, 1);
        _sys.SetDs18b20("28-0000000000e1", 40);
        _sys.AddHwmon(0, "nct6775");
        _sys.SetHwmonTemperature(0, 2, 22);
        _sys.AddHwmon(3, "emc2301");
        _sys.SetFanRpm(3, 1, 1500);
    }

    public void Dispose() => _sys.Dispose();

    private AgentOptions Valid()
    {
        var o = new AgentOptions { RackId = "A-07", Site = "test" };
        o.Miners.Add(new MinerOptions { Id = "A07-01", Address = "10.0.0.30" });
        o.Hardware.SysfsRoot = _sys.Root;
        o.Hardware.Fans.Add(new FanGroupOptions { Name = "front", PwmChip = 0, PwmChannel = 0, Tachometer = "emc2301/fan1_input" });
        o.Hardware.Fans.Add(new FanGroupOptions { Name = "rear", PwmChip = 0, PwmChannel = 1, Tachometer = "hwmon3/fan1_input" });
        o.Hardware.Sensors.Add(new SensorOptions { Name = "exhaust-top", Position = "exhaust", Kind = "ds18b20", Device = "28-0000000000e1" });
        o.Hardware.Sensors.Add(new SensorOptions { Name = "inlet", Position = "Inlet", Kind = "hwmon", Device = "nct6775/temp2_input" });
        return o;
    }

    [Fact]
    public void A_complete_hardware_map_passes()
    {
        Assert.Empty(ThermalOptionsValidator.Check(Valid()));
        Assert.Empty(AgentOptionsValidator.Check(Valid()));
    }

    [Fact]
    public void Two_fan_groups_on_one_pwm_channel_name_both_entries()
    {
        AgentOptions o = Valid();
        o.Hardware.Fans[1].PwmChannel = 0;

        string error = Assert.Single(AgentOptionsValidator.Check(o));

        Assert.StartsWith("Agent:Hardware:Fans:1 (\"rear\"):PwmChannel: pwmchip0/pwm0 is already driven by Agent:Hardware:Fans:0 (\"front\")", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_names_point_at_the_first_use()
    {
        AgentOptions o = Valid();
        o.Hardware.Fans[1].Name = "FRONT";
        o.Hardware.Sensors[1].Name = "exhaust-top";

        List<string> errors = ThermalOptionsValidator.Check(o);

        Assert.Contains("Agent:Hardware:Fans:1:Name: 'FRONT' is already used by Agent:Hardware:Fans:0; give every fan group its own name.", errors);
        Assert.Contains("Agent:Hardware:Sensors:1:Name: 'exhaust-top' is already used by Agent:Hardware:Sensors:0; give every sensor its own name.", errors);
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Unknown_sensor_position_and_kind_are_named()
    {
        AgentOptions o = Valid();
        o.Hardware.Sensors[0].Position = "middle";
        o.Hardware.Sensors[1].Kind = "thermocouple";

        List<string> errors = ThermalOptionsValidator.Check(o);

        Assert.Contains("Agent:Hardware:Sensors:0 (\"exhaust-top\"):Position: 'middle' is not a known position; write \"inlet\" or \"exhaust\".", errors);
        Assert.Contains("Agent:Hardware:Sensors:1 (\"inlet\"):Kind: 'thermocouple' is not a known sensor kind; write \"ds18b20\" or \"hwmon\".", errors);
    }

    [Fact]
    public void Missing_sensor_devices_are_named_with_what_to_check()
    {
        AgentOptions o = Valid();
        o.Hardware.Sensors[0].Device = "28-00000000dead";
        o.Hardware.Sensors[1].Device = "it8728/temp1_input";
        o.Hardware.Fans[0].Tachometer = "emc2301/fan4_input";

        List<string> errors = ThermalOptionsValidator.Check(o);

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Agent:Hardware:Fans:0 (\"front\"):Tachometer: ", errors[0], StringComparison.Ordinal);
        Assert.Contains("fan4_input does not exist", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Agent:Hardware:Sensors:0 (\"exhaust-top\"):Device: DS18B20 '28-00000000dead' is not on the bus", errors[1], StringComparison.Ordinal);
        Assert.Contains("w1_therm", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("Agent:Hardware:Sensors:1 (\"inlet\"):Device: No hwmon device named 'it8728'", errors[2], StringComparison.Ordinal);
        Assert.Contains("present: nct6775, emc2301", errors[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_pwm_chip_and_malformed_inputs_are_refused()
    {
        AgentOptions o = Valid();
        o.Hardware.Fans[1].PwmChip = 2;
        o.Hardware.Fans[0].Tachometer = "emc2301/temp1_input";
        o.Hardware.Sensors[1].Device = "nct6775";

        List<string> errors = ThermalOptionsValidator.Check(o);

        Assert.Contains(errors, e => e.StartsWith("Agent:Hardware:Fans:1 (\"rear\"):PwmChip: ", StringComparison.Ordinal) && e.Contains("pwmchip2 does not exist", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Hardware:Fans:0 (\"front\"):Tachometer: 'emc2301/temp1_input' is not an hwmon fan input", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Hardware:Sensors:1 (\"inlet\"):Device: 'nct6775' is not an hwmon temperature input", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(120)]
    public void Min_duty_out_of_range_is_refused(double minDuty)
    {
        AgentOptions o = Valid();
        o.Hardware.Fans[0].MinDutyPercent = minDuty;

        string error = Assert.Single(ThermalOptionsValidator.Check(o));

        Assert.StartsWith($"Agent:Hardware:Fans:0 (\"front\"):MinDutyPercent: {minDuty} is outside 0 to 100", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Curve_that_is_not_monotonic_names_the_point()
    {
        AgentOptions o = Valid();
        AddPoint(o.Thermal.ChipCurve, 65, 30);
        AddPoint(o.Thermal.ChipCurve, 75, 70);
        AddPoint(o.Thermal.ChipCurve, 80, 50);
        AddPoint(o.Thermal.ExhaustCurve, 50, 40);
        AddPoint(o.Thermal.ExhaustCurve, 45, 80);

        List<string> errors = ThermalOptionsValidator.Check(o);

        Assert.Equal(
            [
                "Agent:Thermal:ExhaustCurve:1:TemperatureCelsius: 45 is not above the previous point's 50; list the points from cool to hot.",
                "Agent:Thermal:ChipCurve:2:DutyPercent: 50 is below the previous point's 70; the curve is not monotonic — a hotter point must not ask for less air.",
            ],
            errors);
    }

    [Fact]
    public void Out_of_range_thermal_settings_are_named()
    {
        AgentOptions o = Valid();
        o.Thermal.ControlInterval = TimeSpan.Zero;
        o.Thermal.MinerChipLimitCelsius = 200;
        o.Thermal.ShedStep = 0;
        AddPoint(o.Thermal.InletCurve, 20, 130);

        List<string> errors = ThermalOptionsValidator.Check(o);

        Assert.Contains(errors, e => e.StartsWith("Agent:Thermal:ControlInterval: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Thermal:MinerChipLimitCelsius: 200 is outside 40 to 130", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Thermal:ShedStep: 0 is outside 1 to 1000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Thermal:InletCurve: has one point", StringComparison.Ordinal));
        Assert.Contains("Agent:Thermal:InletCurve:0:DutyPercent: 130 is outside 0 to 100.", errors);
    }

    [Fact]
    public void A_rack_without_fans_or_sensors_needs_no_sysfs()
    {
        var o = new AgentOptions { RackId = "A-07" };
        o.Hardware.SysfsRoot = Path.Combine(_sys.Root, "does-not-exist");

        Assert.Empty(ThermalOptionsValidator.Check(o));
    }

    private static void AddPoint(IList<FanCurvePointOptions> curve, double celsius, double duty) =>
        curve.Add(new FanCurvePointOptions { TemperatureCelsius = celsius, DutyPercent = duty });
}
