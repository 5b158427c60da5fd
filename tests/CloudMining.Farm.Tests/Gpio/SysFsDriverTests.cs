using CloudMining.Farm.Gpio;
using CloudMining.Farm.Gpio.Drivers;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>The legacy sysfs GPIO driver on a tree the test builds: what it writes, what it reads, and how it fails.</summary>
public sealed class SysFsDriverTests : IDisposable
{
    private readonly FakeSysfsTree _sys = new();

    public SysFsDriverTests()
    {
        _sys.Write("gpiochip0/base", "0\n");
        _sys.Write("gpiochip0/ngpio", "54\n");
        _sys.Write("export", "");
        _sys.Write("unexport", "");
    }

    public void Dispose() => _sys.Dispose();

    [Fact]
    public void Pin_count_is_the_end_of_the_highest_chip()
    {
        _sys.Write("gpiochip504/base", "504\n");
        _sys.Write("gpiochip504/ngpio", "8\n");

        using var gpio = new GpioController(new SysFsDriver(_sys.Root));

        Assert.Equal(512, gpio.PinCount);
    }

    [Fact]
    public void Already_exported_pin_opens_without_exporting_and_clears_a_stale_active_low()
    {
        ExportedPin(17, direction: "out", value: "0", activeLow: "1");
        using var gpio = new GpioController(new SysFsDriver(_sys.Root));

        gpio.OpenPin(17);

        Assert.Equal("", _sys.Read("export"));
        Assert.Equal("0", _sys.Read("gpio17/active_low"));
        Assert.Equal(PinMode.Output, gpio.GetPinMode(17));
    }

    [Fact]
    public async Task Export_waits_for_the_kernel_to_create_the_pin()
    {
        using var gpio = new GpioController(new SysFsDriver(_sys.Root, exportTimeout: TimeSpan.FromSeconds(30)));

        // Play the kernel: once "22" lands in export, create gpio22 with its attributes (value last, as the driver waits for it).
        Task kernel = Task.Run(async () =>
        {
            Assert.True(await Eventually.TrueAsync(() => _sys.Read("export") == "22", TimeSpan.FromSeconds(20)), "the driver never wrote 22 to export");
            ExportedPin(22, direction: "in", value: "1");
        });
        gpio.OpenPin(22);
        await kernel;

        Assert.True(gpio.IsPinOpen(22));
        Assert.Equal(PinValue.High, gpio.Read(22));
    }

    [Fact]
    public void Export_that_never_appears_fails_naming_the_pin_directory()
    {
        var clock = new SteppingTimeProvider(TimeSpan.FromMilliseconds(100));
        using var gpio = new GpioController(new SysFsDriver(_sys.Root, timeProvider: clock, exportTimeout: TimeSpan.FromSeconds(1)));

        var ex = Assert.Throws<GpioChipException>(() => gpio.OpenPin(23));

        Assert.Contains("gpio23", ex.Message, StringComparison.Ordinal);
        Assert.Contains("base", ex.Message, StringComparison.Ordinal);
        Assert.False(gpio.IsPinOpen(23));
    }

    [Fact]
    public void Output_with_initial_value_sets_direction_and_level_together_on_the_wire_level()
    {
        ExportedPin(5, direction: "in", value: "0");
        ExportedPin(6, direction: "in", value: "0");
        using var gpio = new GpioController(new SysFsDriver(_sys.Root, activeLowPins: [6]));

        gpio.OpenPin(5, PinMode.Output, PinValue.High);
        gpio.OpenPin(6, PinMode.Output, PinValue.High);

        Assert.Equal("high", _sys.Read("gpio5/direction"));
        Assert.Equal("low", _sys.Read("gpio6/direction")); // raw level: active-low High is a Low wire
        Assert.Equal("1", _sys.Read("gpio6/active_low"));
    }

    [Fact]
    public void Write_and_read_go_through_the_value_file()
    {
        ExportedPin(4, direction: "out", value: "0");
        using var gpio = new GpioController(new SysFsDriver(_sys.Root));
        gpio.OpenPin(4, PinMode.Output);

        gpio.Write(4, PinValue.High);
        Assert.Equal("1", _sys.Read("gpio4/value"));
        Assert.Equal("out", _sys.Read("gpio4/direction"));

        _sys.Write("gpio4/value", "0\n");
        Assert.Equal(PinValue.Low, gpio.Read(4));
    }

    [Fact]
    public void Garbage_in_the_value_file_is_reported_with_path_and_content()
    {
        ExportedPin(7, direction: "in", value: "0");
        using var gpio = new GpioController(new SysFsDriver(_sys.Root));
        gpio.OpenPin(7, PinMode.Input);
        _sys.Write("gpio7/value", "banana\n");

        var ex = Assert.Throws<GpioChipException>(() => gpio.Read(7));

        Assert.Contains("banana", ex.Message, StringComparison.Ordinal);
        Assert.Equal(_sys.PathOf("gpio7/value"), ex.DevicePath);
    }

    [Fact]
    public void Value_file_that_vanished_is_reported_with_what_to_check()
    {
        ExportedPin(8, direction: "in", value: "0");
        using var gpio = new GpioController(new SysFsDriver(_sys.Root));
        gpio.OpenPin(8, PinMode.Input);
        File.Delete(_sys.PathOf("gpio8/value"));

        var ex = Assert.Throws<GpioChipException>(() => gpio.Read(8));

        Assert.Contains("gpio8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CONFIG_GPIO_SYSFS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pull_up_input_is_not_offered_because_sysfs_has_no_bias()
    {
        ExportedPin(9, direction: "in", value: "0");
        using var gpio = new GpioController(new SysFsDriver(_sys.Root));
        gpio.OpenPin(9);

        Assert.False(gpio.IsPinModeSupported(9, PinMode.InputPullUp));
        Assert.Throws<InvalidOperationException>(() => gpio.SetPinMode(9, PinMode.InputPullUp));
    }

    [Fact]
    public void Closing_a_pin_unexports_it()
    {
        ExportedPin(10, direction: "in", value: "0");
        using var gpio = new GpioController(new SysFsDriver(_sys.Root));
        gpio.OpenPin(10);

        gpio.ClosePin(10);

        Assert.Equal("10", _sys.Read("unexport"));
    }

    [Fact]
    public void Missing_sysfs_root_says_the_interface_is_absent()
    {
        string missing = _sys.PathOf("no-such-class");

        var ex = Assert.Throws<GpioChipException>(() => new SysFsDriver(missing));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Contains("ChardevDriver", ex.Message, StringComparison.Ordinal);
    }

    private void ExportedPin(int pin, string direction, string value, string activeLow = "0")
    {
        _sys.Write($"gpio{pin}/direction", direction + "\n");
        _sys.Write($"gpio{pin}/active_low", activeLow + "\n");
        _sys.Write($"gpio{pin}/value", value + "\n");
    }
}
