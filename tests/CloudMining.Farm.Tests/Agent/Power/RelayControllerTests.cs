using System.Device.Gpio;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Power;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Power;

public sealed class RelayControllerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(500);

    // The relay board's truth table, written out rather than computed: line level for outlet ON and outlet OFF.
    [Theory]
    [InlineData(false, true, 0, 1)]
    [InlineData(false, false, 1, 0)]
    [InlineData(true, true, 1, 0)]
    [InlineData(true, false, 0, 1)]
    public async Task Wiring_truth_table_drives_the_simulated_miner_dark_and_back(bool activeLow, bool normallyClosed, int onLevel, int offLevel)
    {
        var clock = new CountingFakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, customize: (_, s) => s with { BootDelay = TimeSpan.FromSeconds(20) });
        SimulatedMiner miner = farm.Miners[0];
        var chip = new GpioDriverSimulator(8);
        chip.SetInputLevel(3, onLevel); // the board sits at "outlet on" before the agent takes the line
        using RelayAttachment wiring = farm.AttachRelays(chip, [new SimulatedRelay(miner.Id, 3, activeLow, normallyClosed)]);
        using var rig = new RelayRig([RelayRig.Relay(3, miner.Id, activeLow, normallyClosed)], chip: chip, clock: clock);

        Assert.Empty(rig.Controller.Open());
        Assert.True(rig.Controller.IsPoweredOn(miner.Id));
        Assert.Equal(MinerPowerState.Running, miner.PowerState);

        await rig.Controller.PowerOffAsync(miner.Id, "test", CancellationToken.None);
        Assert.Equal((PinValue)offLevel, chip.GetPhysicalLevel(3));
        Assert.Equal(MinerPowerState.Off, miner.PowerState);
        Assert.False(rig.Controller.IsPoweredOn(miner.Id));

        await ClockPump.RunAsync(rig.Controller.PowerOnAsync(miner.Id, "test", CancellationToken.None), clock, Step);
        Assert.Equal((PinValue)onLevel, chip.GetPhysicalLevel(3));
        Assert.Equal(MinerPowerState.Booting, miner.PowerState);
        clock.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal(MinerPowerState.Running, miner.PowerState);
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    public async Task Lines_are_taken_where_they_stand_on_a_driver_that_reads_only_requested_lines(bool normallyClosed, int level)
    {
        // libgpiod 1 (bookworm) cannot read a line it has not requested: the controller requests it as an input first.
        var chip = new GpioDriverSimulator(8);
        chip.SetInputLevel(3, level); // the outlet is on either way: NC with the coil released, NO with it energised
        var seen = new List<PinValue>();
        chip.LineChanged += (_, e) => seen.Add(e.PhysicalLevel);
        var events = new RackEventBus(Microsoft.Extensions.Logging.Abstractions.NullLogger<RackEventBus>.Instance);
        using var relays = new RelayController(new RequestBeforeReadDriver(chip), [RelayRig.Relay(3, "m3", normallyClosed: normallyClosed)], new PowerOptions(), events,
            new CountingFakeTimeProvider(), Microsoft.Extensions.Logging.Abstractions.NullLogger<RelayController>.Instance);

        Assert.Empty(relays.Open());

        Assert.True(relays.IsPoweredOn("m3"));
        Assert.Empty(seen); // taking the line switched nothing
        Assert.Equal((PinValue)level, chip.GetPhysicalLevel(3));
        await relays.PowerOffAsync("m3", "test", CancellationToken.None);
        Assert.Equal([(PinValue)(1 - level)], seen);
    }

    [Fact]
    public async Task Power_on_before_the_minimum_off_time_waits_for_it()
    {
        using var rig = new RelayRig([RelayRig.Relay(1, "m1")], new PowerOptions { MinOffTime = TimeSpan.FromSeconds(10) });
        rig.Controller.Open();
        DateTimeOffset start = rig.Clock.GetUtcNow();
        await rig.Controller.PowerOffAsync("m1", "test", CancellationToken.None);

        rig.Clock.Advance(TimeSpan.FromSeconds(3));
        Task on = rig.Controller.PowerOnAsync("m1", "too early", CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => rig.Clock.PendingTimers > 0, TimeSpan.FromSeconds(5)));
        rig.Clock.Advance(TimeSpan.FromSeconds(6.9));
        Assert.False(on.IsCompleted);
        Assert.False(rig.Controller.IsPoweredOn("m1"));

        rig.Clock.Advance(TimeSpan.FromSeconds(0.1));
        await on.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(rig.Controller.IsPoweredOn("m1"));
        (DateTimeOffset offAt, _, _) = rig.Changes[0];
        (DateTimeOffset onAt, _, PinValue level) = rig.Changes[1];
        Assert.Equal(start, offAt);
        Assert.Equal(TimeSpan.FromSeconds(10), onAt - offAt);
        Assert.Equal(PinValue.Low, level);
    }

    [Fact]
    public async Task Concurrent_cycles_never_exceed_the_limit_nor_violate_the_minimum_off_time()
    {
        RelayOptions[] relays = Enumerable.Range(0, 6).Select(i => RelayRig.Relay(i, $"m{i}")).ToArray();
        using var rig = new RelayRig(relays, new PowerOptions { MinOffTime = TimeSpan.FromSeconds(10), PowerUpGap = TimeSpan.FromSeconds(2), MaxConcurrentCycles = 2 });
        rig.Controller.Open();
        int maxCycling = 0;
        rig.Chip.LineChanged += (_, _) => maxCycling = Math.Max(maxCycling, rig.Controller.CyclesInProgress);

        Task all = Task.WhenAll(relays.Select(r => rig.Controller.PowerCycleAsync(r.Miner, "test", CancellationToken.None)));
        await ClockPump.RunAsync(all, rig.Clock, Step);

        // Reconstruct from the wire: how many outlets were dark at once, and for how long each.
        var offAt = new Dictionary<int, DateTimeOffset>();
        int dark = 0, maxDark = 0;
        var offDurations = new List<TimeSpan>();
        foreach ((DateTimeOffset at, int line, PinValue level) in rig.Changes)
        {
            if (level == PinValue.High)
            {
                offAt[line] = at;
                maxDark = Math.Max(maxDark, ++dark);
            }
            else
            {
                offDurations.Add(at - offAt[line]);
                dark--;
            }
        }

        Assert.Equal(6, offDurations.Count);
        Assert.Equal(2, maxDark);
        Assert.True(maxCycling <= 2, $"{maxCycling} cycles ran at once");
        Assert.All(offDurations, d => Assert.True(d >= TimeSpan.FromSeconds(10), $"an outlet was off only {d}"));
        Assert.All(relays, r => Assert.True(rig.Controller.IsPoweredOn(r.Miner)));
        Assert.Equal(0, rig.Controller.CyclesInProgress);
    }

    [Fact]
    public async Task Rack_power_up_is_staggered_and_leaves_outlets_that_are_on_alone()
    {
        // Normally-open outlets on undriven (Low) lines are off, as after a rack power loss; the NC one is on.
        RelayOptions[] relays =
        [
            RelayRig.Relay(0, "m0", normallyClosed: false),
            RelayRig.Relay(1, "m1", normallyClosed: false),
            RelayRig.Relay(2, "m2"),
            RelayRig.Relay(3, "m3", normallyClosed: false),
            RelayRig.Relay(4, "m4", normallyClosed: false),
        ];
        using var rig = new RelayRig(relays, new PowerOptions { MinOffTime = TimeSpan.FromSeconds(10), PowerUpGap = TimeSpan.FromSeconds(5) });

        IReadOnlyList<RelayOptions> off = rig.Controller.Open();
        Assert.Equal(["m0", "m1", "m3", "m4"], off.Select(r => r.Miner));

        await ClockPump.RunAsync(rig.Controller.PowerUpRackAsync("agent start", CancellationToken.None), rig.Clock, Step);

        var ons = rig.Changes.Where(c => c.Level == PinValue.High).ToList();
        Assert.Equal([0, 1, 3, 4], ons.Select(c => c.Line));
        Assert.DoesNotContain(rig.Changes, c => c.Line == 2);
        for (int i = 1; i < ons.Count; i++)
        {
            Assert.True(ons[i].At - ons[i - 1].At >= TimeSpan.FromSeconds(5), $"outlets {ons[i - 1].Line} and {ons[i].Line} came on {ons[i].At - ons[i - 1].At} apart");
        }

        Assert.All(relays, r => Assert.True(rig.Controller.IsPoweredOn(r.Miner)));
    }

    [Fact]
    public async Task Every_switch_is_a_relay_event_naming_outlet_miner_and_reason()
    {
        using var rig = new RelayRig([RelayRig.Relay(7, "S19-07")], new PowerOptions { MinOffTime = TimeSpan.FromSeconds(1) });
        rig.Controller.Open();

        await ClockPump.RunAsync(rig.Controller.PowerCycleAsync("S19-07", "hung miner", CancellationToken.None), rig.Clock, Step);

        RackEvent[] relayEvents = rig.Events.Recent.Where(e => e.Kind == "relay").ToArray();
        Assert.Equal(["power-off", "power-on"], relayEvents.Select(e => e.Action));
        Assert.All(relayEvents, e =>
        {
            Assert.Equal("S19-07", e.MinerId);
            Assert.Contains("PDU-A/7", e.Detail, StringComparison.Ordinal);
            Assert.Contains("hung miner", e.Detail, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_miner_without_a_relay_is_refused()
    {
        using var rig = new RelayRig([RelayRig.Relay(1, "m1")]);
        rig.Controller.Open();

        Assert.False(rig.Controller.HasRelay("m2"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => rig.Controller.PowerCycleAsync("m2", "test", CancellationToken.None));
        Assert.Empty(rig.Changes);
    }

    [Fact]
    public async Task A_failing_line_raises_a_critical_relay_event()
    {
        using var rig = new RelayRig([RelayRig.Relay(1, "m1")]);
        rig.Controller.Open();
        rig.Chip.InjectLineFailure(1, "expander not answering");

        await Assert.ThrowsAsync<GpioChipException>(() => rig.Controller.PowerOffAsync("m1", "test", CancellationToken.None));

        RackEvent failed = Assert.Single(rig.Events.Recent);
        Assert.Equal("relay-failed", failed.Action);
        Assert.Equal("critical", failed.Severity);
        Assert.True(rig.Controller.IsPoweredOn("m1"));
    }

    [Fact]
    public async Task Power_up_goes_on_past_a_relay_that_fails()
    {
        RelayOptions[] relays = [RelayRig.Relay(0, "m0", normallyClosed: false), RelayRig.Relay(1, "m1", normallyClosed: false), RelayRig.Relay(2, "m2", normallyClosed: false)];
        using var rig = new RelayRig(relays, new PowerOptions { MinOffTime = TimeSpan.Zero, PowerUpGap = TimeSpan.FromSeconds(5) });
        Assert.Equal(3, rig.Controller.Open().Count);
        rig.Chip.InjectLineFailure(1, "relay driver burnt");

        await ClockPump.RunAsync(rig.Controller.PowerUpRackAsync("agent start", CancellationToken.None), rig.Clock, Step);

        Assert.True(rig.Controller.IsPoweredOn("m0"));
        Assert.False(rig.Controller.IsPoweredOn("m1"));
        Assert.True(rig.Controller.IsPoweredOn("m2"));
        Assert.Contains(rig.Events.Recent, e => e.Action == "relay-failed" && e.MinerId == "m1");
    }

    [Fact]
    public async Task Outlet_switched_off_on_purpose_stays_off_through_an_agent_restart_until_switched_on()
    {
        string state = Directory.CreateTempSubdirectory("farm-agent-relays-").FullName;
        try
        {
            RelayOptions[] relays = [RelayRig.Relay(0, "m0"), RelayRig.Relay(1, "m1")];
            var power = new PowerOptions { MinOffTime = TimeSpan.FromSeconds(10), PowerUpGap = TimeSpan.FromSeconds(5) };
            var chip = new GpioDriverSimulator(8);
            var clock = new CountingFakeTimeProvider();
            using (var before = new RelayRig(relays, power, chip, clock, state))
            {
                before.Controller.Open();
                await before.Controller.PowerOffAsync("m0", "thermal protection: chips at 95 °C", CancellationToken.None);
                await ClockPump.RunAsync(before.Controller.PowerCycleAsync("m1", "watchdog", CancellationToken.None), clock, Step);
            }

            // The agent restarts: m0 is found off and stays off; the relay event says why and how to bring it back.
            using var after = new RelayRig(relays, power, chip, clock, state);
            Assert.Equal(["m0"], after.Controller.Open().Select(r => r.Miner));
            await ClockPump.RunAsync(after.Controller.PowerUpRackAsync("agent start", CancellationToken.None), clock, Step);
            Assert.False(after.Controller.IsPoweredOn("m0"));
            RackEvent kept = Assert.Single(after.Events.Recent);
            Assert.Equal("kept-off", kept.Action);
            Assert.Contains("thermal protection", kept.Detail, StringComparison.Ordinal);

            await ClockPump.RunAsync(after.Controller.PowerOnAsync("m0", "cooled down", CancellationToken.None), clock, Step);
            Assert.True(after.Controller.IsPoweredOn("m0"));
            Assert.Empty(CloudMining.Farm.Agent.Power.RelayStateFile.Read(state).KeptOff);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
