using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Gpio.Sensors;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

public sealed class FanFailureDetectorTests
{
    [Fact]
    public void Stopped_fan_at_high_duty_fails_after_n_reads_and_recovers_on_one_good_read()
    {
        var detector = new FanFailureDetector(minRpm: 500, aboveDutyPercent: 40, readsToFail: 3);

        Assert.Equal(FanHealthChange.None, detector.Observe(FanSpeed.FromRpm(0), 80));
        Assert.Equal(FanHealthChange.None, detector.Observe(FanSpeed.FromRpm(0), 80));
        Assert.Equal(FanHealthChange.Failed, detector.Observe(FanSpeed.FromRpm(0), 80));
        Assert.Equal(FanHealthChange.None, detector.Observe(FanSpeed.FromRpm(0), 80)); // once, not every read
        Assert.True(detector.IsFailed);
        Assert.Equal(FanHealthChange.Recovered, detector.Observe(FanSpeed.FromRpm(1800), 80));
        Assert.False(detector.IsFailed);
    }

    [Fact]
    public void A_good_read_in_between_restarts_the_count()
    {
        var detector = new FanFailureDetector(minRpm: 500, aboveDutyPercent: 40, readsToFail: 3);

        detector.Observe(FanSpeed.FromRpm(100), 90);
        detector.Observe(FanSpeed.FromRpm(100), 90);
        detector.Observe(FanSpeed.FromRpm(900), 90);
        Assert.Equal(FanHealthChange.None, detector.Observe(FanSpeed.FromRpm(100), 90));
        Assert.Equal(FanHealthChange.None, detector.Observe(FanSpeed.FromRpm(100), 90));
        Assert.Equal(FanHealthChange.Failed, detector.Observe(FanSpeed.FromRpm(100), 90));
    }

    [Fact]
    public void Slow_fan_at_low_duty_is_not_a_failure()
    {
        var detector = new FanFailureDetector(minRpm: 500, aboveDutyPercent: 40, readsToFail: 2);

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(FanHealthChange.None, detector.Observe(FanSpeed.FromRpm(0), 30));
        }

        Assert.False(detector.IsFailed);
    }
}
