using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>The fan loop against a fake sysfs: sensor files in, PWM duty files out; the default curves and a 3 °C hysteresis.</summary>
public sealed class FanControllerTests
{
    private const string ExhaustProbe = "28-0000000000e1";
    private static readonly IReadOnlyList<MinerPollStatus> NoMiners = [];

    /// <summary>Two fan groups (front min 30 %, rear min 40 %), a DS18B20 at the exhaust and an hwmon input at the inlet.</summary>
    private static FanController Rig(ThermalTestRack rack, string? tachometer = null)
    {
        FakeThermalSysfs sys = rack.Sysfs;
        sys.AddPwmChannel(0, 0);
        sys.AddPwmChannel(0, 1);
        sys.SetDs18b20(ExhaustProbe, 38);
        sys.AddHwmon(0, "nct6775");
        sys.SetHwmonTemperature(0, 2, 18);
        sys.AddHwmon(1, "emc2301");
        sys.SetFanRpm(1, 1, 1800);
        HardwareOptions hw = rack.Options.Hardware;
        hw.Fans.Add(new FanGroupOptions { Name = "front", PwmChip = 0, PwmChannel = 0, MinDutyPercent = 30, Tachometer = tachometer });
        hw.Fans.Add(new FanGroupOptions { Name = "rear", PwmChip = 0, PwmChannel = 1, MinDutyPercent = 40 });
        hw.Sensors.Add(new SensorOptions { Name = "exhaust-top", Position = "exhaust", Kind = "ds18b20", Device = ExhaustProbe });
        hw.Sensors.Add(new SensorOptions { Name = "inlet-low", Position = "inlet", Kind = "hwmon", Device = "nct6775/temp2_input" });
        Assert.Empty(ThermalOptionsValidator.Check(rack.Options));
        var fans = new FanController(rack.Options, rack.Events, rack.Clock, rack.Logs.CreateLogger<FanController>());
        fans.Start();
        return fans;
    }

    private static async Task<(double Front, double Rear)> StepAt(ThermalTestRack rack, FanController fans, double exhaustCelsius)
    {
        rack.Sysfs.SetDs18b20(ExhaustProbe, exhaustCelsius);
        await fans.StepAsync(NoMiners, CancellationToken.None);
        return (rack.Sysfs.DutyPercent(0, 0), rack.Sysfs.DutyPercent(0, 1));
    }

    [Fact]
    public async Task Fans_start_at_full_speed_before_the_first_reading()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        Rig(rack);

        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 0));
        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 1));
        Assert.True(rack.Sysfs.Enabled(0, 0));
        Assert.True(rack.Sysfs.Enabled(0, 1));
        Assert.Equal("40000", File.ReadAllText(Path.Combine(rack.Sysfs.Root, "class/pwm/pwmchip0/pwm0/period"))); // 25 kHz
    }

    [Fact]
    public async Task Heat_makes_fans_rise_and_they_fall_only_after_the_hysteresis()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        FanController fans = Rig(rack);

        // Cool: the curve asks 30 %, each group runs at its own minimum.
        Assert.Equal((30, 40), await StepAt(rack, fans, 38));

        // Heating up: every step raises both groups (exhaust curve 40 → 30 %, 50 → 60 %, 58 → 100 %).
        Assert.Equal((45, 45), await StepAt(rack, fans, 45));
        Assert.Equal((60, 60), await StepAt(rack, fans, 50));
        Assert.Equal((80, 80), await StepAt(rack, fans, 54));

        // Cooling inside the 3 °C band changes nothing; past it the duty follows 3 °C behind.
        Assert.Equal((80, 80), await StepAt(rack, fans, 52));
        Assert.Equal((80, 80), await StepAt(rack, fans, 51));
        Assert.Equal((75, 75), await StepAt(rack, fans, 50));
        Assert.Equal((30, 40), await StepAt(rack, fans, 30));

        Assert.Contains(rack.Logs.Records, r => r.Level == Microsoft.Extensions.Logging.LogLevel.Debug
            && r.Property("FanGroup") == "front" && r.Property("Duty") == "80" && r.Property("Reason")!.StartsWith("exhaust 54.0", StringComparison.Ordinal));
        Assert.Empty(rack.Events.Recent);
    }

    [Fact]
    public async Task Hot_inlet_drives_the_fans_even_when_the_exhaust_is_cool()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        FanController fans = Rig(rack);
        rack.Sysfs.SetHwmonTemperature(0, 2, 30); // inlet curve: 30 °C → 60 %

        FanStep step = await fans.StepAsync(NoMiners, CancellationToken.None);

        Assert.Equal(60, rack.Sysfs.DutyPercent(0, 0));
        Assert.Equal(30, step.Air.Inlet!.Value.Celsius, 3);
        Assert.StartsWith("inlet", step.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sensor_loss_drives_fans_to_full_speed_with_an_alarm_and_recovery_lowers_them_again()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        FanController fans = Rig(rack);
        Assert.Equal((45, 45), await StepAt(rack, fans, 45));

        rack.Sysfs.UnplugDs18b20(ExhaustProbe);
        await fans.StepAsync(NoMiners, CancellationToken.None);

        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 0));
        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 1));
        RackEvent lost = Assert.Single(rack.Alarms("sensor-lost"));
        Assert.Equal("warning", lost.Severity); // the inlet still reads
        Assert.Contains("exhaust-top", lost.Detail, StringComparison.Ordinal);
        Assert.Contains("does not exist", lost.Detail, StringComparison.Ordinal);

        // Garbage from a noisy bus is no better than no probe: still 100 %, and no second alarm for the same outage.
        rack.Sysfs.WriteDs18b20Raw(ExhaustProbe, "72 01 4b 46 7f ff 0e 10 57 : crc=a3 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");
        await fans.StepAsync(NoMiners, CancellationToken.None);
        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 0));
        Assert.Single(rack.Alarms("sensor-lost"));

        Assert.Equal((45, 45), await StepAt(rack, fans, 45));
        RackEvent restored = Assert.Single(rack.Alarms("sensor-restored"));
        Assert.Contains("exhaust-top", restored.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Losing_every_sensor_is_a_critical_alarm()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        FanController fans = Rig(rack);
        await StepAt(rack, fans, 45);

        rack.Sysfs.UnplugDs18b20(ExhaustProbe);
        File.Delete(Path.Combine(rack.Sysfs.Root, "class/hwmon/hwmon0/temp2_input"));
        await fans.StepAsync(NoMiners, CancellationToken.None);

        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 0));
        Assert.Equal(["warning", "critical"], rack.Alarms("sensor-lost").Select(e => e.Severity));
    }

    [Fact]
    public async Task Tachometer_at_zero_rpm_under_high_duty_raises_fan_failed_once_and_recovery_is_reported()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        FanController fans = Rig(rack, tachometer: "emc2301/fan1_input");

        // At low duty a stopped fan may just be idling: no alarm however long it lasts.
        rack.Sysfs.SetFanRpm(1, 1, 0);
        for (int i = 0; i < 5; i++)
        {
            await StepAt(rack, fans, 38);
        }

        Assert.Empty(rack.Alarms("fan-failed"));

        // Hot: 100 % duty, and the tachometer still reads 0 rpm — the third read in a row raises the alarm.
        await StepAt(rack, fans, 60);
        await StepAt(rack, fans, 60);
        Assert.Empty(rack.Alarms("fan-failed"));
        await StepAt(rack, fans, 60);
        RackEvent failed = Assert.Single(rack.Alarms("fan-failed"));
        Assert.Equal("critical", failed.Severity);
        Assert.Contains("front", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("0 rpm", failed.Detail, StringComparison.Ordinal);

        await StepAt(rack, fans, 60);
        Assert.Single(rack.Alarms("fan-failed"));

        rack.Sysfs.SetFanRpm(1, 1, 2400);
        await StepAt(rack, fans, 60);
        Assert.Single(rack.Alarms("fan-recovered"));
    }

    [Fact]
    public async Task Unreadable_tachometer_is_reported_once_and_does_not_count_as_a_stopped_fan()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        FanController fans = Rig(rack, tachometer: "emc2301/fan1_input");
        File.WriteAllText(Path.Combine(rack.Sysfs.Root, "class/hwmon/hwmon1/fan1_input"), "garbage\n");

        for (int i = 0; i < 4; i++)
        {
            await StepAt(rack, fans, 60);
        }

        Assert.Single(rack.Alarms("tachometer-lost"));
        Assert.Empty(rack.Alarms("fan-failed"));
        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 0)); // a tachometer is not a temperature: the curve still decides
    }

    [Fact]
    public async Task A_pwm_output_that_cannot_be_written_is_a_critical_alarm_and_the_other_group_is_still_driven()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        FanController fans = Rig(rack);
        string duty = Path.Combine(rack.Sysfs.Root, "class/pwm/pwmchip0/pwm1/duty_cycle");
        File.Delete(duty);
        Directory.CreateDirectory(duty); // the kernel refusing the write, as an I/O error

        foreach (double celsius in new[] { 50.0, 54.0 })
        {
            rack.Sysfs.SetDs18b20(ExhaustProbe, celsius);
            await fans.StepAsync(NoMiners, CancellationToken.None);
        }

        Assert.Equal(80, rack.Sysfs.DutyPercent(0, 0));
        RackEvent failed = Assert.Single(rack.Alarms("fan-control-failed"));
        Assert.Equal("critical", failed.Severity);
        Assert.Contains("rear", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("pwm1", failed.Detail, StringComparison.Ordinal);

        Directory.Delete(duty);
        File.WriteAllText(duty, "0\n");
        await StepAt(rack, fans, 54);

        Assert.Equal(80, rack.Sysfs.DutyPercent(0, 1));
        Assert.Single(rack.Alarms("fan-control-restored"));
    }

    [Fact]
    public async Task Hot_chips_drive_the_fans_and_a_rack_with_no_temperature_at_all_runs_them_flat_out()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 1);
        rack.Sysfs.AddPwmChannel(0, 0);
        rack.Options.Hardware.Fans.Add(new FanGroupOptions { Name = "front", PwmChip = 0, PwmChannel = 0, MinDutyPercent = 20 });
        var fans = new FanController(rack.Options, rack.Events, rack.Clock, rack.Logs.CreateLogger<FanController>());
        fans.Start();

        FanStep first = await fans.StepAsync(await rack.PollAsync(), CancellationToken.None);
        Assert.NotNull(first.HottestChip);
        double cool = rack.Sysfs.DutyPercent(0, 0);
        Assert.True(cool < 100, $"a miner at {first.HottestChip} should not need full speed, got {cool} %");

        // A hot aisle: the chips heat up over the next minutes and the fans follow them up.
        rack[0].AmbientCelsius = 60;
        double previous = cool;
        for (int i = 0; i < 24; i++)
        {
            rack.Clock.Advance(ThermalTestRack.PollInterval);
            FanStep step = await fans.StepAsync(await rack.PollAsync(), CancellationToken.None);
            double duty = rack.Sysfs.DutyPercent(0, 0);
            Assert.True(duty >= previous, $"duty fell from {previous} to {duty} % while the chips heated ({step.HottestChip})");
            previous = duty;
        }

        Assert.Equal(100, previous);

        // Switched off: its last snapshot is stale, no sensor is configured, so nothing says how hot the rack is.
        rack[0].SetPower(false);
        rack.Clock.Advance(ThermalTestRack.PollInterval);
        FanStep blind = await fans.StepAsync(await rack.PollAsync(), CancellationToken.None);
        Assert.Null(blind.HottestChip);
        Assert.Equal("no temperature known", blind.Reason);
        Assert.Equal(100, rack.Sysfs.DutyPercent(0, 0));
    }
}
