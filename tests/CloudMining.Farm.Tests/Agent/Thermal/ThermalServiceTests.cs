using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>The hosted thermal service on a hand-moved clock: both loops, start at 100 %, and 100 % again when it stops.</summary>
public sealed class ThermalServiceTests
{
    private const string ExhaustProbe = "28-00000000ab01";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static ThermalService Service(ThermalTestRack rack, bool withRelays = true)
    {
        rack.Sysfs.AddPwmChannel(1, 0);
        rack.Sysfs.AddPwmChannel(1, 1);
        rack.Sysfs.SetDs18b20(ExhaustProbe, 45);
        HardwareOptions hw = rack.Options.Hardware;
        hw.Fans.Add(new FanGroupOptions { Name = "front", PwmChip = 1, PwmChannel = 0 });
        hw.Fans.Add(new FanGroupOptions { Name = "rear", PwmChip = 1, PwmChannel = 1 });
        hw.Sensors.Add(new SensorOptions { Name = "exhaust", Position = "exhaust", Kind = "ds18b20", Device = ExhaustProbe });
        rack.Options.Thermal.ControlInterval = TimeSpan.FromSeconds(5);
        rack.Options.Thermal.ChipCurve.Add(new FanCurvePointOptions { TemperatureCelsius = 100, DutyPercent = 0 });
        rack.Options.Thermal.ChipCurve.Add(new FanCurvePointOptions { TemperatureCelsius = 110, DutyPercent = 100 });
        Assert.Empty(ThermalOptionsValidator.Check(rack.Options));
        ILoggerFactory loggers = LoggerFactory.Create(b => b.AddProvider(rack.Logs).SetMinimumLevel(LogLevel.Debug));
        return new ThermalService(
            Microsoft.Extensions.Options.Options.Create(rack.Options),
            rack.Tracker,
            rack.Events,
            rack.Clock,
            loggers,
            withRelays ? rack.Power : null,
            new FixedDesiredPoolState(null));
    }

    /// <summary>One control interval: polls the miners, moves the clock, and waits until both loops have made their pass.</summary>
    private static async Task TickAsync(ThermalTestRack rack, ThermalService service)
    {
        long fans = service.FanPasses;
        long protection = service.ProtectionPasses;
        await rack.NextCycleAsync();
        Assert.True(
            await Eventually.TrueAsync(() => service.FanPasses > fans && (service.Guard is null || service.ProtectionPasses > protection), Patience),
            "both thermal loops made a pass");
    }

    [Fact]
    public async Task Service_follows_the_exhaust_and_leaves_every_fan_at_full_speed_when_it_stops()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 1);
        await rack.PollAsync();
        using ThermalService service = Service(rack);

        await service.StartAsync(CancellationToken.None);
        try
        {
            // The first pass runs at once: exhaust 45 °C on the default curve is 45 % (chips are kept out by their curve).
            Assert.True(
                await Eventually.TrueAsync(() => rack.Sysfs.DutyPercent(1, 0) == 45 && rack.Sysfs.DutyPercent(1, 1) == 45 && service.FanPasses > 0, Patience),
                $"front at {rack.Sysfs.DutyPercent(1, 0)} %, rear at {rack.Sysfs.DutyPercent(1, 1)} %");
            Assert.True(rack.Sysfs.Enabled(1, 0));

            rack.Sysfs.SetDs18b20(ExhaustProbe, 50);
            await TickAsync(rack, service);
            Assert.Equal(60, rack.Sysfs.DutyPercent(1, 0));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(100, rack.Sysfs.DutyPercent(1, 0));
        Assert.Equal(100, rack.Sysfs.DutyPercent(1, 1));
        Assert.True(rack.Sysfs.Enabled(1, 0));
        Assert.True(rack.Sysfs.Enabled(1, 1));
        Assert.Contains(rack.Logs.Records, r => r.Message.Contains("left at 100 %", StringComparison.Ordinal));

        // Nothing runs any more: moving the clock changes no file.
        rack.Sysfs.SetDs18b20(ExhaustProbe, 30);
        rack.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(100, rack.Sysfs.DutyPercent(1, 0));
    }

    [Fact]
    public async Task Hot_exhaust_sensor_makes_the_service_shed_a_miner_after_the_grace()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 2, ambientCelsius: i => i == 0 ? 25 : 35);
        await rack.PollAsync();
        rack.Options.Thermal.RackExhaustLimitCelsius = 55;
        rack.Options.Thermal.RackGracePeriod = TimeSpan.FromSeconds(30);
        using ThermalService service = Service(rack);
        await service.StartAsync(CancellationToken.None);
        try
        {
            // Both loops make their first pass at start with the exhaust still at 45 °C; only then does it get hot, so
            // the grace is counted from the first tick that sees 62 °C (under load the first pass can run late).
            Assert.True(
                await Eventually.TrueAsync(() => service.FanPasses > 0 && (service.Guard is null || service.ProtectionPasses > 0), Patience),
                "the first thermal passes ran");
            rack.Sysfs.SetDs18b20(ExhaustProbe, 62);
            for (int i = 0; i < 6 && rack.Power.Actions.Count == 0; i++)
            {
                await TickAsync(rack, service);
            }

            Assert.Empty(rack.Power.Actions); // within the grace
            for (int i = 0; i < 4 && rack.Power.Actions.Count == 0; i++)
            {
                await TickAsync(rack, service);
            }

            SimulatedMinerPower.PowerAction shed = Assert.Single(rack.Power.Actions);
            Assert.Equal(rack[1].Id, shed.MinerId); // the hotter of two unsold miners
            Assert.Equal(MinerPowerState.Off, rack[1].PowerState);
            Assert.Contains("exhaust 62.0 °C", shed.Reason, StringComparison.Ordinal);
            Assert.Equal(100, rack.Sysfs.DutyPercent(1, 0)); // 62 °C is past the top of the exhaust curve
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Without_a_relay_controller_the_service_drives_fans_only_and_says_so()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync();
        using ThermalService service = Service(rack, withRelays: false);

        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await Eventually.TrueAsync(() => rack.Sysfs.DutyPercent(1, 0) == 45, Patience));
            Assert.Null(service.Guard);
            Assert.Contains(rack.Logs.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("No relay controller", StringComparison.Ordinal));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(100, rack.Sysfs.DutyPercent(1, 0));
    }
}
