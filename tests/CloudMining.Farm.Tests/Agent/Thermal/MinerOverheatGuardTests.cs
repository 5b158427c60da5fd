using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Simulator.Mining;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>Simulated miners whose chips heat in a hot aisle, polled by the agent's poller, guarded with an 85 °C limit and a 60 s grace.</summary>
public sealed class MinerOverheatGuardTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    private static MinerOverheatGuard Guard(ThermalTestRack rack, TimeSpan coolDown)
    {
        rack.Options.Thermal.MinerChipLimitCelsius = 85;
        rack.Options.Thermal.MinerGracePeriod = Grace;
        rack.Options.Thermal.OverTemperatureCoolDown = coolDown;
        return new MinerOverheatGuard(rack.Options, rack.Power, rack.Events, rack.Clock, rack.Logs.CreateLogger<MinerOverheatGuard>());
    }

    private static Temperature? Chip(ThermalTestRack rack, IReadOnlyList<MinerPollStatus> miners, int index) =>
        MinerHeat.FreshMaxChip(miners[index], rack.Clock.GetUtcNow(), ThermalTestRack.PollInterval * 3);

    /// <summary>Runs poll + guard cycles until the first power action, checking on the way that nothing was cut before the grace was over.</summary>
    private static async Task<(DateTimeOffset FirstOver, DateTimeOffset Cut)> RunUntilCutAsync(ThermalTestRack rack, MinerOverheatGuard guard, int index)
    {
        DateTimeOffset? firstOver = null;
        for (int cycle = 0; cycle < 100; cycle++)
        {
            IReadOnlyList<MinerPollStatus> miners = await rack.NextCycleAsync();
            DateTimeOffset now = rack.Clock.GetUtcNow();
            if (Chip(rack, miners, index) is { Celsius: > 85 })
            {
                firstOver ??= now;
            }
            else
            {
                Assert.Null(firstOver); // the hot aisle keeps it above the limit once there
            }

            await guard.StepAsync(miners, CancellationToken.None);
            if (rack.Power.Actions.Count > 0)
            {
                Assert.NotNull(firstOver);
                return (firstOver.Value, now);
            }

            Assert.Equal(MinerPowerState.Running, rack[index].PowerState);
        }

        Assert.Fail($"never cut; chip at {Chip(rack, rack.Tracker.Current(), index)}");
        return default;
    }

    [Fact]
    public async Task Runaway_miner_is_cut_after_the_grace_period_and_not_before()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 2);
        MinerOverheatGuard guard = Guard(rack, TimeSpan.FromMinutes(15));
        IReadOnlyList<MinerPollStatus> start = await rack.PollAsync();
        Assert.True(Chip(rack, start, 0)!.Value.Celsius < 80, $"starts cool: {Chip(rack, start, 0)}");

        rack[0].AmbientCelsius = 70; // its intake sits in a hot aisle: the chips climb toward ~100 °C

        (DateTimeOffset firstOver, DateTimeOffset cut) = await RunUntilCutAsync(rack, guard, 0);

        Assert.InRange(cut - firstOver, Grace, Grace + ThermalTestRack.PollInterval);
        SimulatedMinerPower.PowerAction action = Assert.Single(rack.Power.Actions);
        Assert.Equal(("off", rack[0].Id), (action.Action, action.MinerId));
        Assert.Contains("85.0 °C limit", action.Reason, StringComparison.Ordinal);
        Assert.Equal(MinerPowerState.Off, rack[0].PowerState);
        Assert.Equal(MinerPowerState.Running, rack[1].PowerState);
        RackEvent alarm = Assert.Single(rack.Alarms("over-temperature"));
        Assert.Equal(("critical", rack[0].Id), (alarm.Severity, alarm.MinerId));
        Assert.True(guard.IsTripped(rack[0].Id));

        // Off, it reports nothing: no second cut, no restore before the cool-down.
        for (int i = 0; i < 12; i++)
        {
            await guard.StepAsync(await rack.NextCycleAsync(), CancellationToken.None);
        }

        Assert.Single(rack.Power.Actions);
        Assert.Equal(MinerPowerState.Off, rack[0].PowerState);
    }

    [Fact]
    public async Task Heat_spell_shorter_than_the_grace_period_is_forgiven()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 1);
        MinerOverheatGuard guard = Guard(rack, TimeSpan.FromMinutes(15));
        await rack.PollAsync();
        rack[0].AmbientCelsius = 70;

        // Over the limit for a while, but less than the grace: then the aisle cools and the chips drop under it.
        DateTimeOffset? over = null;
        while (over is null || rack.Clock.GetUtcNow() - over < TimeSpan.FromSeconds(30))
        {
            IReadOnlyList<MinerPollStatus> miners = await rack.NextCycleAsync();
            await guard.StepAsync(miners, CancellationToken.None);
            if (over is null && Chip(rack, miners, 0) is { Celsius: > 85 })
            {
                over = rack.Clock.GetUtcNow();
            }
        }

        rack[0].AmbientCelsius = 20;
        IReadOnlyList<MinerPollStatus> cooled;
        do
        {
            cooled = await rack.NextCycleAsync();
            await guard.StepAsync(cooled, CancellationToken.None);
        }
        while (Chip(rack, cooled, 0) is { Celsius: > 85 });

        Assert.Empty(rack.Power.Actions);

        // Back in the heat: the grace counts from the new spell, so the cut comes a full grace after it began.
        rack[0].AmbientCelsius = 70;
        (DateTimeOffset secondOver, DateTimeOffset cut) = await RunUntilCutAsync(rack, guard, 0);
        Assert.InRange(cut - secondOver, Grace, Grace + ThermalTestRack.PollInterval);
    }

    [Fact]
    public async Task Cut_miner_is_powered_again_after_the_cool_down()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 1);
        MinerOverheatGuard guard = Guard(rack, TimeSpan.FromMinutes(10));
        await rack.PollAsync();
        rack[0].AmbientCelsius = 70;
        (_, DateTimeOffset cut) = await RunUntilCutAsync(rack, guard, 0);
        rack[0].AmbientCelsius = 25; // the technician fixed the aisle

        while (rack.Clock.GetUtcNow() - cut < TimeSpan.FromMinutes(10) - ThermalTestRack.PollInterval)
        {
            await guard.StepAsync(await rack.NextCycleAsync(), CancellationToken.None);
            Assert.Equal(MinerPowerState.Off, rack[0].PowerState);
        }

        await guard.StepAsync(await rack.NextCycleAsync(), CancellationToken.None);

        Assert.Equal(["off", "on"], rack.Power.Actions.Select(a => a.Action));
        Assert.Contains("cool-down", rack.Power.Actions[1].Reason, StringComparison.Ordinal);
        Assert.NotEqual(MinerPowerState.Off, rack[0].PowerState);
        Assert.Single(rack.Alarms("over-temperature-cleared"));
        Assert.False(guard.IsTripped(rack[0].Id));
    }

    [Fact]
    public async Task Zero_cool_down_keeps_a_cut_miner_off()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 1);
        MinerOverheatGuard guard = Guard(rack, TimeSpan.Zero);
        await rack.PollAsync();
        rack[0].AmbientCelsius = 70;
        await RunUntilCutAsync(rack, guard, 0);

        rack.Clock.Advance(TimeSpan.FromHours(6));
        await guard.StepAsync(await rack.PollAsync(), CancellationToken.None);

        Assert.Single(rack.Power.Actions);
        Assert.Equal(MinerPowerState.Off, rack[0].PowerState);
        Assert.Contains("stays off", Assert.Single(rack.Alarms("over-temperature")).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overheating_miner_without_a_relay_raises_one_critical_alarm_asking_for_a_hand()
    {
        await using ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 1);
        rack.Power = new SimulatedMinerPower(rack.Farm.Miners, withoutRelay: rack[0].Id);
        MinerOverheatGuard guard = Guard(rack, TimeSpan.FromMinutes(15));
        await rack.PollAsync();
        rack[0].AmbientCelsius = 70;

        for (int i = 0; i < 40; i++)
        {
            await guard.StepAsync(await rack.NextCycleAsync(), CancellationToken.None);
        }

        RackEvent alarm = Assert.Single(rack.Alarms("over-temperature"));
        Assert.Equal("critical", alarm.Severity);
        Assert.Contains("no relay", alarm.Detail, StringComparison.Ordinal);
        Assert.Empty(rack.Power.Actions);
        Assert.Equal(MinerPowerState.Running, rack[0].PowerState);
    }
}
