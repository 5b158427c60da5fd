using CloudMining.Farm.Controller.Proof;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Proof;

/// <summary>Hysteresis of the delivery check: hold time, one trigger per excursion, re-arm only well inside the tolerance.</summary>
public sealed class DeliveryMonitorTests
{
    private const double Target = 100e12;
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Short_dip_does_not_trigger()
    {
        var monitor = new DeliveryMonitor(0.05, TimeSpan.FromMinutes(30));
        int triggers = Run(monitor, 0, 60, 0.99);
        triggers += Run(monitor, 60, 85, 0.90);   // 25 min under: shorter than the hold
        triggers += Run(monitor, 85, 200, 1.00);
        Assert.Equal(0, triggers);
    }

    [Fact]
    public void Sustained_under_delivery_triggers_exactly_once_at_the_hold_time()
    {
        var monitor = new DeliveryMonitor(0.05, TimeSpan.FromMinutes(30));
        Run(monitor, 0, 10, 1.0);
        var triggeredAt = new List<int>();
        for (int minute = 10; minute < 120; minute++)
        {
            if (monitor.Evaluate("c1", Target, Target * 0.9, T0.AddMinutes(minute)).Rebalance)
            {
                triggeredAt.Add(minute);
            }
        }

        Assert.Equal([40], triggeredAt);
    }

    [Fact]
    public void Coming_back_only_inside_the_tolerance_does_not_re_arm_but_inside_half_of_it_does()
    {
        var monitor = new DeliveryMonitor(0.05, TimeSpan.FromMinutes(30));
        Assert.Equal(1, Run(monitor, 0, 40, 0.90));
        Assert.Equal(0, Run(monitor, 40, 50, 0.96));  // inside 5 % but not inside 2.5 %: still disarmed
        Assert.Equal(0, Run(monitor, 50, 100, 0.90)); // a new, long excursion: no second rebalance, no flapping
        Assert.Equal(0, Run(monitor, 100, 110, 0.99)); // well inside: re-armed
        Assert.Equal(1, Run(monitor, 110, 150, 1.10)); // over-delivery for longer than the hold: one rebalance
    }

    [Fact]
    public void Unknown_delivery_changes_nothing()
    {
        var monitor = new DeliveryMonitor(0.05, TimeSpan.Zero);
        DeliveryVerdict verdict = monitor.Evaluate("c1", Target, null, T0);
        Assert.Equal(DeliveryStatus.Unknown, verdict.Status);
        Assert.False(verdict.Rebalance);
        Assert.True(monitor.Evaluate("c1", Target, Target * 0.5, T0).Rebalance);
    }

    private static int Run(DeliveryMonitor monitor, int fromMinute, int toMinute, double ratio)
    {
        int triggers = 0;
        for (int minute = fromMinute; minute < toMinute; minute++)
        {
            triggers += monitor.Evaluate("c1", Target, Target * ratio, T0.AddMinutes(minute)).Rebalance ? 1 : 0;
        }

        return triggers;
    }
}
