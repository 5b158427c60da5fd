using CloudMining.Farm.Controller.Curtailment;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

public sealed class StrikeGateTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Price_flapping_around_the_strike_every_minute_switches_no_more_often_than_the_minimum_times_allow()
    {
        var gate = new StrikeGate(new StrikeSettings(100m, 0m, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(20)), _clock);

        // Two hours of a price that jumps from far above to far below the strike every minute.
        for (int minute = 0; minute < 120; minute++)
        {
            gate.Observe(minute % 2 == 0 ? 180m : 20m);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        // The first switch comes after 15 min running, then at most one per 20 min curtailed or 15 min running:
        // no more than 7 in 120 min (without the minimum times it would have been 120).
        Assert.InRange(gate.Switches, 2, 7);
    }

    [Fact]
    public void Price_wobbling_inside_the_hysteresis_band_curtails_once_and_never_restores()
    {
        var gate = new StrikeGate(new StrikeSettings(100m, 10m, TimeSpan.Zero, TimeSpan.Zero), _clock);

        StrikeDecision first = gate.Observe(101m);
        Assert.True(first.Switched && first.Curtailed, first.Why);
        for (int i = 0; i < 50; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(5));
            StrikeDecision d = gate.Observe(i % 2 == 0 ? 91m : 104m);
            Assert.True(d.Curtailed, d.Why);
        }

        Assert.Equal(1, gate.Switches);
        StrikeDecision restored = gate.Observe(89.99m);
        Assert.True(restored.Switched && !restored.Curtailed);
        Assert.Equal("price 89.99 below 90 (strike 100 minus hysteresis)", restored.Why);
    }

    [Fact]
    public void A_price_above_the_strike_waits_for_the_minimum_running_time_and_says_so()
    {
        var gate = new StrikeGate(new StrikeSettings(100m, 5m, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30)), _clock);

        _clock.Advance(TimeSpan.FromMinutes(4));
        StrikeDecision early = gate.Observe(150m);
        Assert.False(early.Curtailed);
        Assert.Equal("price 150 above the strike 100, but running only 4 of at least 10 min", early.Why);

        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(gate.Observe(150m).Switched);

        _clock.Advance(TimeSpan.FromMinutes(29));
        Assert.True(gate.Observe(10m).Curtailed);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(gate.Observe(10m).Curtailed);
        Assert.Equal(2, gate.Switches);
    }

    [Fact]
    public void Negative_hysteresis_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new StrikeGate(new StrikeSettings(100m, -1m, TimeSpan.Zero, TimeSpan.Zero), _clock));
        Assert.Equal("Hysteresis", e.ParamName);
    }
}
