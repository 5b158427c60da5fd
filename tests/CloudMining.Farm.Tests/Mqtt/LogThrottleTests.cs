using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>One log line per period, with a count of what was held back.</summary>
public sealed class LogThrottleTests
{
    [Fact]
    public void One_line_passes_per_period_and_the_next_says_how_many_were_held_back()
    {
        var clock = new ManualTimeProvider();
        var throttle = new LogThrottle(TimeSpan.FromMinutes(1), clock);

        Assert.True(throttle.TryEnter(out long held));
        Assert.Equal(0, held);
        for (int i = 0; i < 1000; i++)
        {
            Assert.False(throttle.TryEnter(out _));
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(throttle.TryEnter(out held));
        Assert.Equal(1000, held);
        Assert.False(throttle.TryEnter(out held));
        Assert.Equal(1, held);
    }
}
