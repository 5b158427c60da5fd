using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class DynamicsTests
{
    [Fact]
    public async Task Hotter_intake_air_heats_the_chips_and_speeds_the_fans()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock);
        SimulatedMiner miner = farm.Miners[0];
        clock.Advance(TimeSpan.FromMinutes(10));
        MinerView cool = miner.Snapshot();

        miner.AmbientCelsius = 40;
        clock.Advance(TimeSpan.FromMinutes(10));
        MinerView hot = miner.Snapshot();

        Assert.True(hot.MaxChipTemp > cool.MaxChipTemp + 5, $"{cool.MaxChipTemp} -> {hot.MaxChipTemp}");
        Assert.True(hot.FanDutyPercent > cool.FanDutyPercent);
        Assert.True(hot.FanRpm[0] > cool.FanRpm[0]);
    }

    [Fact]
    public async Task Less_hashing_means_cooler_chips_and_less_power()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock);
        SimulatedMiner miner = farm.Miners[0];
        clock.Advance(TimeSpan.FromMinutes(10));
        MinerView full = miner.Snapshot();

        miner.InjectFault(MinerFault.HashrateDrop(30));
        clock.Advance(TimeSpan.FromMinutes(10));
        MinerView low = miner.Snapshot();

        Assert.True(low.MaxChipTemp < full.MaxChipTemp - 10);
        Assert.True(low.PowerWatts < full.PowerWatts * 0.5);
    }

    [Fact]
    public async Task Uptime_follows_the_clock_and_hardware_errors_grow_slowly()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock);
        SimulatedMiner miner = farm.Miners[0];

        clock.Advance(TimeSpan.FromHours(2));
        MinerView v = miner.Snapshot();

        Assert.Equal(7200, v.Elapsed);
        Assert.InRange(v.HardwareErrors, 1, 3 * 12 * 2);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_miners_and_different_miners_differ()
    {
        await using SimulatedFarm a = await TestFarms.StartAsync("whatsminer", miners: 3);
        await using SimulatedFarm b = await TestFarms.StartAsync("whatsminer", miners: 3);

        Assert.Equal(a.Miners.Select(m => m.Identity.Mac), b.Miners.Select(m => m.Identity.Mac));
        Assert.Equal(a.Miners.Select(m => m.Identity.BoardSerials[0]), b.Miners.Select(m => m.Identity.BoardSerials[0]));
        Assert.Equal(3, a.Miners.Select(m => m.Identity.Mac).Distinct().Count());
        Assert.Equal(3, a.Miners.Select(m => m.Identity.Serial).Distinct().Count());
    }
}
