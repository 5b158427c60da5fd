using System.Device.Gpio;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Watchdog;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Mining;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Watchdog;

public sealed class MinerWatchdogTests
{
    private static List<string> Ladder(List<string> trail) => trail.Where(t => t is not "watchdog:rate-limited").ToList();

    [Fact]
    public async Task Hung_miner_climbs_the_ladder_to_a_power_cycle_and_recovers()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync();
        SimulatedMiner miner = rig.Farm.Miners[0];
        // A firmware hang survives an API restart attempt but not losing power.
        rig.Chip.LineChanged += (_, e) =>
        {
            if (e.PhysicalLevel == PinValue.High)
            {
                miner.ClearFaults();
            }
        };

        // Healthy first; a poll of a just-started simulator can time out on a loaded machine, so a few ticks are allowed.
        for (int i = 0; i < 10 && (i < 2 || rig.Health[0].State != MinerHealthState.Ok); i++)
        {
            await rig.TickAsync();
        }

        Assert.Equal(MinerHealthState.Ok, rig.Health[0].State);
        Assert.Equal(WatchdogStep.Healthy, rig.Watchdog.StepOf(miner.Id));
        int before = rig.Trail(miner.Id).Count;
        miner.InjectFault(MinerFault.Hang());

        for (int i = 0; i < 20 && rig.Watchdog.StepOf(miner.Id) != WatchdogStep.PowerCycled; i++)
        {
            await rig.TickAsync();
        }

        Assert.Equal(WatchdogStep.PowerCycled, rig.Watchdog.StepOf(miner.Id));
        await rig.TicksAsync(2);

        Assert.Equal(MinerHealthState.Ok, rig.Health[0].State);
        Assert.Equal(WatchdogStep.Healthy, rig.Watchdog.StepOf(miner.Id));
        Assert.Equal(
            ["watchdog:retry", "watchdog:restart", "watchdog:restart-failed", "watchdog:power-cycle", "relay:power-off", "relay:power-on", "watchdog:recovered"],
            rig.Trail(miner.Id).Skip(before));
        Assert.Equal(2, miner.BootCount);
    }

    [Fact]
    public async Task Miner_that_never_recovers_is_quarantined_after_at_most_N_cycles_and_stays_so_after_a_restart()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync(configure: o => o.Watchdog.MaxPowerCycles = 3);
        SimulatedMiner miner = rig.Farm.Miners[0];
        await rig.TickAsync();
        miner.InjectFault(MinerFault.Refuse());

        await rig.TicksAsync(30);

        Assert.Equal(WatchdogStep.Quarantined, rig.Watchdog.StepOf(miner.Id));
        List<string> trail = rig.Trail(miner.Id);
        Assert.Equal(3, trail.Count(t => t == "watchdog:power-cycle"));
        Assert.Equal(3, trail.Count(t => t == "relay:power-off"));
        Assert.Equal("watchdog:quarantine", trail[^1]);
        QuarantineEntry entry = Assert.Single(WatchdogStateFile.Read(rig.Options.StateDirectory).Quarantined);
        Assert.Equal(miner.Id, entry.MinerId);
        Assert.Equal(3, entry.PowerCycles);

        // The agent restarts: a new watchdog reads the quarantine back and leaves the miner alone.
        rig.Watchdog.Dispose();
        MinerWatchdog restarted = rig.NewWatchdog();
        Assert.Equal(WatchdogStep.Quarantined, restarted.StepOf(miner.Id));
        int eventsBefore = rig.Events.Recent.Count;
        await rig.TicksAsync(15);
        Assert.Equal(eventsBefore, rig.Events.Recent.Count);
        Assert.True(rig.Relays.IsPoweredOn(miner.Id));

        // Released by the technician: the ladder starts again.
        Assert.True(WatchdogStateFile.Release(rig.Options.StateDirectory, miner.Id));
        await rig.TickAsync();
        Assert.Equal("watchdog:released", rig.Trail(miner.Id)[^1]);
        Assert.NotEqual(WatchdogStep.Quarantined, restarted.StepOf(miner.Id));
    }

    [Fact]
    public async Task Miner_without_a_relay_stops_at_the_restart_and_needs_hands()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync(relays: false);
        SimulatedMiner miner = rig.Farm.Miners[0];
        await rig.TickAsync();
        miner.InjectFault(MinerFault.Refuse());

        await rig.TicksAsync(20);

        Assert.Equal(WatchdogStep.NeedsHands, rig.Watchdog.StepOf(miner.Id));
        Assert.Equal(["watchdog:retry", "watchdog:restart", "watchdog:restart-failed", "watchdog:needs-hands"], rig.Trail(miner.Id));
        Assert.Equal("critical", rig.Events.Recent[^1].Severity);
        WatchdogMinerState shown = Assert.Single(WatchdogStateFile.Read(rig.Options.StateDirectory).Miners);
        Assert.Equal(WatchdogStep.NeedsHands, shown.Step);
    }

    [Fact]
    public async Task Rack_going_dark_at_once_is_held_as_a_network_problem()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync(miners: 4);
        await rig.TickAsync();
        foreach (SimulatedMiner m in rig.Farm.Miners)
        {
            m.InjectFault(MinerFault.Refuse());
        }

        await rig.TicksAsync(15);

        Assert.True(rig.Watchdog.Holding);
        Assert.Equal(["watchdog:network-suspected"], rig.Trail());
        Assert.All(rig.Farm.Miners, m => Assert.Equal(1, m.BootCount));

        foreach (SimulatedMiner m in rig.Farm.Miners)
        {
            m.ClearFaults();
        }

        await rig.TickAsync();
        Assert.False(rig.Watchdog.Holding);
        Assert.Equal(["watchdog:network-suspected", "watchdog:network-hold-ended"], rig.Trail());
    }

    [Fact]
    public async Task Rack_wide_rate_limit_spreads_actions_over_minutes()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync(miners: 6, configure: o =>
        {
            o.Watchdog.MaxActionsPerMinute = 2;
            o.Watchdog.NetworkHoldMinMiners = 100;
        });
        await rig.TickAsync();
        foreach (SimulatedMiner m in rig.Farm.Miners)
        {
            m.InjectFault(MinerFault.HashrateDrop(20));
        }

        var restartsPerTick = new List<int>();
        for (int i = 0; i < 12; i++)
        {
            int before = rig.Trail().Count(t => t == "watchdog:restart");
            await rig.TickAsync();
            restartsPerTick.Add(rig.Trail().Count(t => t == "watchdog:restart") - before);
        }

        Assert.Equal(6, restartsPerTick.Sum());
        Assert.All(restartsPerTick, n => Assert.True(n <= 2, $"{n} restarts within one minute"));
        Assert.Contains("watchdog:rate-limited", rig.Trail());
    }

    [Fact]
    public async Task Slow_miner_under_the_hashrate_threshold_is_sick_and_a_restart_that_heals_it_resets_the_ladder()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync(web: true);
        SimulatedMiner miner = rig.Farm.Miners[0];
        await rig.TickAsync();
        miner.InjectFault(MinerFault.HashrateDrop(30));

        for (int i = 0; i < 15 && !rig.Trail(miner.Id).Contains("watchdog:restart"); i++)
        {
            await rig.TickAsync();
        }

        miner.ClearFaults();
        await rig.TicksAsync(2);

        Assert.Equal(["watchdog:retry", "watchdog:restart", "watchdog:recovered"], Ladder(rig.Trail(miner.Id)));
        Assert.Contains("under 50 %", rig.Events.Recent.First(e => e.Action == "retry").Detail, StringComparison.Ordinal);
        Assert.Equal(2, miner.BootCount);
    }

    [Fact]
    public async Task Stock_antminer_refusing_rpc_writes_is_restarted_through_its_web_cgi_and_not_power_cycled()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync(web: true, realistic: true);
        SimulatedMiner miner = rig.Farm.Miners[0];
        await rig.TickAsync();
        miner.InjectFault(MinerFault.HashrateDrop(30));

        for (int i = 0; i < 15 && !rig.Trail(miner.Id).Contains("watchdog:restart"); i++)
        {
            await rig.TickAsync();
        }

        Assert.Contains("watchdog:restart", rig.Trail(miner.Id));
        Assert.Equal(1, miner.WebWritesReceived); // reboot.cgi, with the Digest login
        Assert.Equal(0, miner.WriteCommandsReceived); // no cgminer 'restart' for the firmware to refuse with Code 45
        miner.ClearFaults();
        await rig.TicksAsync(3);

        Assert.Equal(["watchdog:retry", "watchdog:restart", "watchdog:recovered"], Ladder(rig.Trail(miner.Id)));
        Assert.DoesNotContain(rig.Trail(miner.Id), t => t is "watchdog:restart-failed" or "watchdog:power-cycle" or "relay:power-off");
        Assert.Equal(2, miner.BootCount);
        Assert.Equal(WatchdogStep.Healthy, rig.Watchdog.StepOf(miner.Id));
    }

    [Fact]
    public async Task Wrong_web_login_makes_the_restart_fail_with_the_fix_and_never_shows_the_password()
    {
        const string wrong = "Wr0ng-Watchdog-Secret-7";
        await using WatchdogRig rig = await WatchdogRig.StartAsync(web: true, realistic: true, configure: o =>
        {
            o.MinerCredentials.Clear();
            o.MinerCredentials.Add(new CloudMining.Farm.Agent.Configuration.MinerCredentialOptions { Miner = "*", Profile = "antminer", Password = wrong });
        });
        SimulatedMiner miner = rig.Farm.Miners[0];
        await rig.TickAsync();
        miner.InjectFault(MinerFault.HashrateDrop(30));

        for (int i = 0; i < 15 && !rig.Trail(miner.Id).Contains("watchdog:restart-failed"); i++)
        {
            await rig.TickAsync();
        }

        string detail = rig.Events.Recent.First(e => e.Action == "restart-failed").Detail ?? string.Empty;
        Assert.Contains("bitmain-web", detail, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", detail, StringComparison.Ordinal);
        Assert.All(rig.Events.Recent, e => Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal));
        Assert.Equal(0, miner.WebWritesReceived);
    }

    [Fact]
    public async Task Miner_switched_off_on_purpose_is_left_alone()
    {
        await using WatchdogRig rig = await WatchdogRig.StartAsync();
        SimulatedMiner miner = rig.Farm.Miners[0];
        await rig.TickAsync();

        await rig.Relays.PowerOffAsync(miner.Id, "thermal protection", CancellationToken.None);
        await rig.TicksAsync(15);

        Assert.Equal(MinerPowerState.Off, miner.PowerState);
        Assert.Equal(MinerHealthState.Unreachable, rig.Health[0].State);
        Assert.Equal(["relay:power-off"], rig.Trail(miner.Id));
        Assert.Equal(WatchdogStep.Healthy, rig.Watchdog.StepOf(miner.Id));
    }
}
