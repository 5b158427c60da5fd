using CloudMining.Farm.Controller.PoolSide;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.PoolSide;

public sealed class PoolDiscrepancyMonitorTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromMinutes(30);

    [Fact]
    public void Disagreement_beyond_the_tolerance_raises_the_event_after_the_hold_time_and_not_before()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var monitor = new PoolDiscrepancyMonitor(0.10, Hold, clock);
        DateTimeOffset start = clock.GetUtcNow();

        Assert.Null(monitor.Observe("c1", "alice.rig1", 100e12, 80e12));
        clock.Advance(Hold - TimeSpan.FromSeconds(1));
        Assert.Null(monitor.Observe("c1", "alice.rig1", 100e12, 80e12));
        clock.Advance(TimeSpan.FromSeconds(1));
        PoolDiscrepancy? raised = monitor.Observe("c1", "alice.rig1", 100e12, 80e12);

        Assert.NotNull(raised);
        Assert.Equal(start, raised.Since);
        Assert.Equal(clock.GetUtcNow(), raised.At);
        Assert.Equal(-0.2, raised.Deviation, 1e-12);

        // Raised once per disagreement.
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(monitor.Observe("c1", "alice.rig1", 100e12, 80e12));
    }

    [Fact]
    public void Agreement_in_between_restarts_the_hold_and_small_differences_never_raise()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var monitor = new PoolDiscrepancyMonitor(0.10, Hold, clock);

        Assert.Null(monitor.Observe("c1", "w", 100e12, 85e12));
        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Null(monitor.Observe("c1", "w", 100e12, 95e12));
        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Null(monitor.Observe("c1", "w", 100e12, 85e12));
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Null(monitor.Observe("c1", "w", 100e12, 85e12));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull(monitor.Observe("c1", "w", 100e12, 85e12));

        for (int i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Null(monitor.Observe("c2", "w", 100e12, 109e12));
        }

        Assert.Null(monitor.Observe("c3", "w", null, 50e12));
    }
}
