using CloudMining.Farm.Gpio.Pwm;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>The sysfs PWM channel on a fake /sys/class/pwm: export, period and duty in nanoseconds, enable.</summary>
public sealed class SysfsPwmChannelTests : IDisposable
{
    private readonly FakeSysfsTree _sys = new();

    public SysfsPwmChannelTests()
    {
        _sys.Write("pwmchip0/npwm", "2\n");
        _sys.Write("pwmchip0/export", "");
    }

    public void Dispose() => _sys.Dispose();

    [Fact]
    public void Percent_duty_becomes_nanoseconds_of_the_period()
    {
        ExportedChannel(0);

        using var fan = new SysfsPwmChannel(0, 0, frequency: 25_000, dutyCyclePercent: 40, root: _sys.Root);

        Assert.Equal("40000", _sys.Read("pwmchip0/pwm0/period"));
        Assert.Equal("16000", _sys.Read("pwmchip0/pwm0/duty_cycle"));
        Assert.Equal(40_000, fan.PeriodNanoseconds);
        Assert.Equal(0.4, fan.DutyCycle, 9);
    }

    [Theory]
    [InlineData(40_000, 0, 0)]
    [InlineData(40_000, 100, 40_000)]
    [InlineData(40_000, 33.3, 13_320)]
    [InlineData(1_000_000, 12.5, 125_000)]
    public void Duty_nanoseconds_round_to_the_nearest_nanosecond(long period, double percent, long expected) =>
        Assert.Equal(expected, SysfsPwmChannel.DutyNanoseconds(period, percent));

    [Fact]
    public async Task Missing_channel_is_exported_then_programmed()
    {
        Task kernel = Task.Run(async () =>
        {
            Assert.True(await Eventually.TrueAsync(() => _sys.Read("pwmchip0/export") == "1", TimeSpan.FromSeconds(20)), "the channel was never exported");
            ExportedChannel(1);
        });

        using var fan = new SysfsPwmChannel(0, 1, frequency: 1_000, dutyCyclePercent: 50, root: _sys.Root, exportTimeout: TimeSpan.FromSeconds(30));
        await kernel;

        Assert.Equal("1000000", _sys.Read("pwmchip0/pwm1/period"));
        Assert.Equal("500000", _sys.Read("pwmchip0/pwm1/duty_cycle"));
        Assert.False(fan.IsEnabled);
    }

    [Fact]
    public async Task Export_that_never_appears_fails_naming_the_channel()
    {
        var clock = new FakeTimeProvider();
        DateTimeOffset start = clock.GetUtcNow();

        // The channel re-checks on the injected clock's timer, so each step of the fake clock is one more look; past the
        // export timeout it gives up. It blocks (export is a synchronous API), hence its own task.
        Task<PwmException> export = Task.Run(() => Assert.Throws<PwmException>(() => new SysfsPwmChannel(0, 1, root: _sys.Root, timeProvider: clock, exportTimeout: TimeSpan.FromSeconds(1))));
        Assert.True(await Eventually.TrueAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
                return export.IsCompleted;
            },
            TimeSpan.FromSeconds(30)));

        PwmException ex = await export;
        Assert.Contains("pwm1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("npwm", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.GetUtcNow() - start > TimeSpan.FromSeconds(1), $"gave up after {clock.GetUtcNow() - start} of the fake clock, before the 1 s timeout");
    }

    [Fact]
    public void Changing_frequency_keeps_the_duty_percentage()
    {
        ExportedChannel(0);
        using var fan = new SysfsPwmChannel(0, 0, frequency: 1_000, dutyCyclePercent: 50, root: _sys.Root);

        fan.Frequency = 25_000; // period shrinks below the old duty: duty must be written first
        Assert.Equal("40000", _sys.Read("pwmchip0/pwm0/period"));
        Assert.Equal("20000", _sys.Read("pwmchip0/pwm0/duty_cycle"));

        fan.DutyCyclePercent = 75;
        Assert.Equal("30000", _sys.Read("pwmchip0/pwm0/duty_cycle"));
        Assert.Equal(25_000, fan.Frequency);
    }

    [Fact]
    public void Start_and_stop_switch_enable()
    {
        ExportedChannel(0);
        using var fan = new SysfsPwmChannel(0, 0, root: _sys.Root);

        fan.Start();
        Assert.Equal("1", _sys.Read("pwmchip0/pwm0/enable"));
        Assert.True(fan.IsEnabled);

        fan.Stop();
        Assert.Equal("0", _sys.Read("pwmchip0/pwm0/enable"));
    }

    [Fact]
    public void Dispose_leaves_the_fan_running()
    {
        ExportedChannel(0);
        var fan = new SysfsPwmChannel(0, 0, dutyCyclePercent: 60, root: _sys.Root);
        fan.Start();

        fan.Dispose();

        Assert.Equal("1", _sys.Read("pwmchip0/pwm0/enable"));
    }

    [Fact]
    public void Missing_chip_is_reported_with_what_to_check()
    {
        var ex = Assert.Throws<PwmException>(() => new SysfsPwmChannel(3, 0, root: _sys.Root));

        Assert.Equal(_sys.PathOf("pwmchip3"), ex.Path);
        Assert.Contains("overlay", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void Duty_outside_zero_to_hundred_percent_is_refused(double percent)
    {
        ExportedChannel(0);
        using var fan = new SysfsPwmChannel(0, 0, root: _sys.Root);

        Assert.Throws<ArgumentOutOfRangeException>(() => fan.DutyCyclePercent = percent);
        Assert.Equal("0", _sys.Read("pwmchip0/pwm0/duty_cycle"));
    }

    private void ExportedChannel(int channel)
    {
        _sys.Write($"pwmchip0/pwm{channel}/period", "0\n");
        _sys.Write($"pwmchip0/pwm{channel}/duty_cycle", "0\n");
        _sys.Write($"pwmchip0/pwm{channel}/enable", "0\n");
    }
}
