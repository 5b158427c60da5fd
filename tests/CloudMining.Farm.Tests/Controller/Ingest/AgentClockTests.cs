using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>
/// A rack whose clock is wrong: its telemetry's ts says when it was taken, by that rack's clock. Nothing arrives before
/// it was sent, so a ts well ahead of the controller's clock cannot be true and must not extend a miner's freshness or
/// freeze it once the rack's clock is set right.
/// </summary>
public sealed class AgentClockTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_reading_stamped_an_hour_ahead_is_dated_when_received_and_the_next_correct_one_is_taken()
    {
        var clock = new FakeTimeProvider(T0);
        var fleet = new FleetState(clock);
        fleet.Apply(ControllerHistoryTests.Telemetry("m01", 1, 100e12, 3000) with { Timestamp = T0.AddHours(1) });

        MinerLiveState ahead = fleet.Miner("s1", "r07", "m01")!;
        Assert.Equal(T0, ahead.TelemetryAt);
        Assert.Equal(TimeSpan.FromHours(1), ahead.ClockOffset);

        // The rack's clock is set right: its next reading, correctly dated 10 s later, replaces the one from "the future".
        clock.Advance(TimeSpan.FromSeconds(10));
        fleet.Apply(ControllerHistoryTests.Telemetry("m01", 2, 50e12, 3000) with { Timestamp = clock.GetUtcNow() });
        MinerLiveState fixedClock = fleet.Miner("s1", "r07", "m01")!;
        Assert.Equal(50e12, fixedClock.Hashrate5sHs);
        Assert.Equal(clock.GetUtcNow(), fixedClock.TelemetryAt);
        Assert.Equal(TimeSpan.Zero, fixedClock.ClockOffset);
    }

    [Fact]
    public void A_batched_reading_stamped_ahead_is_dated_as_the_same_per_miner_reading()
    {
        var clock = new FakeTimeProvider(T0);
        var perMiner = new FleetState(clock);
        var batched = new FleetState(clock);
        MinerTelemetryPayload reading = ControllerHistoryTests.Telemetry("m01", 1, 100e12, 3000) with { Timestamp = T0.AddMinutes(10) };
        TelemetryBatchPayload batch = Assert.Single(TelemetryBatchPayload.From([reading], "s1", "r07", "agent-s1-r07", T0.AddMinutes(10)));

        perMiner.Apply(reading);
        batched.Apply(batch, Assert.Single(batch.Miners));

        Assert.Equal(T0, batched.Miner("s1", "r07", "m01")!.TelemetryAt);
        Assert.Equal(perMiner.Miner("s1", "r07", "m01")!.TelemetryAt, batched.Miner("s1", "r07", "m01")!.TelemetryAt);
        Assert.Equal(TimeSpan.FromMinutes(10), batched.Miner("s1", "r07", "m01")!.ClockOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4.9)]
    [InlineData(-30)]
    public void A_ts_within_the_tolerance_or_in_the_past_dates_its_reading_as_sent(double offsetS)
    {
        var clock = new FakeTimeProvider(T0);
        var fleet = new FleetState(clock);
        DateTimeOffset ts = T0.AddSeconds(offsetS);
        fleet.Apply(ControllerHistoryTests.Telemetry("m01", 1, 100e12, 3000) with { Timestamp = ts });
        Assert.Equal(ts, fleet.Miner("s1", "r07", "m01")!.TelemetryAt);
        Assert.Equal(TimeSpan.FromSeconds(offsetS), fleet.Miner("s1", "r07", "m01")!.ClockOffset);
    }

    [Fact]
    public async Task A_miner_whose_rack_stamped_it_an_hour_ahead_is_unsold_once_silent_for_the_telemetry_window()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 2, perRack: 2, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(400e12, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).MeasuredHealthyHs);

        // r1's clock jumps an hour ahead for one reading of r1-m01, which then falls silent (its rack keeps reporting the others).
        SimMiner broken = farm.Miners["r1-m01"];
        farm.Fleet.Apply(broken.Telemetry(EngineFarm.Site, farm.Clock.GetUtcNow().AddHours(1), 1_000_000));
        broken.On = false;

        FleetView fleet = await farm.Engine.GetFleetAsync(CancellationToken.None);
        Assert.Equal(3600, fleet.Racks.Single(r => r.Rack == "r1").ClockOffsetS);
        Assert.True(Math.Abs(fleet.Racks.Single(r => r.Rack == "r2").ClockOffsetS!.Value) < 1);

        // Dated when received, it is as old as silence makes it: past the telemetry window it is no longer sold.
        await farm.RunAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(300e12, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).MeasuredHealthyHs);
    }

    [Fact]
    public void A_rack_clock_ahead_is_warned_once_per_rack_and_interval_naming_the_rack_and_the_fix()
    {
        var clock = new FakeTimeProvider(T0);
        using var logs = new InMemoryLoggerProvider();
        var log = new AgentClockLog(logs.CreateLogger("ingest"), clock);

        Assert.False(log.Check("s1", "r07", T0.AddSeconds(3), clock.GetUtcNow()));
        Assert.True(log.Check("s1", "r07", T0.AddSeconds(90), clock.GetUtcNow()));
        Assert.True(log.Check("s1", "r07", T0.AddSeconds(95), clock.GetUtcNow()));
        Assert.True(log.Check("s1", "r08", T0.AddHours(2), clock.GetUtcNow()));

        InMemoryLoggerProvider.LogRecord[] warned = [.. logs.Records.Where(r => r.Level == LogLevel.Warning)];
        Assert.Equal(2, warned.Length);
        Assert.Contains("Rack r07's clock is 90 s ahead", warned[0].Message, StringComparison.Ordinal);
        Assert.Contains("timedatectl set-ntp true", warned[0].Message, StringComparison.Ordinal);
        Assert.Contains("Rack r08's clock is 7200 s ahead", warned[1].Message, StringComparison.Ordinal);

        clock.Advance(AgentClockLog.RackInterval);
        Assert.True(log.Check("s1", "r07", clock.GetUtcNow().AddSeconds(90), clock.GetUtcNow()));
        Assert.Equal(3, logs.Records.Count(r => r.Level == LogLevel.Warning));
    }
}
