using CloudMining.Farm.Gpio.Sensors;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>hwmon chips and fan tachometers on a fake /sys/class/hwmon.</summary>
public sealed class HwmonDeviceTests : IDisposable
{
    private readonly FakeSysfsTree _sys = new();

    public HwmonDeviceTests()
    {
        _sys.Write("hwmon0/name", "cpu_thermal\n");
        _sys.Write("hwmon0/temp1_input", "48312\n");
        _sys.Write("hwmon2/name", "emc2301\n");
        _sys.Write("hwmon2/fan1_input", "3120\n");
        _sys.Write("hwmon2/fan2_input", "0\n");
        _sys.Write("hwmon2/fan3_input", "n/a\n");
        _sys.Write("hwmon2/temp1_input", "-4500\n");
        _sys.Write("hwmon2/temp2_input", "41000\n");
        _sys.Write("hwmon10/name", "nvme\n");
    }

    public void Dispose() => _sys.Dispose();

    [Fact]
    public void Devices_are_listed_in_numeric_order_with_their_names()
    {
        var devices = HwmonDevice.Enumerate(_sys.Root);

        Assert.Equal(["cpu_thermal", "emc2301", "nvme"], devices.Select(d => d.Name));
    }

    [Fact]
    public async Task Temperature_input_is_millidegrees()
    {
        var cpu = HwmonDevice.FindByName("cpu_thermal", _sys.Root);

        Assert.Equal(48.312, (await cpu.ReadTemperatureAsync(1, CancellationToken.None)).Celsius, 9);
        Assert.Equal(-4.5, (await HwmonDevice.FindByName("emc2301", _sys.Root).ReadTemperatureAsync(1, CancellationToken.None)).Celsius, 9);
    }

    [Fact]
    public void Channels_are_discovered_from_input_files()
    {
        var fanChip = HwmonDevice.FindByName("emc2301", _sys.Root);

        Assert.Equal([1, 2, 3], fanChip.FanChannels);
        Assert.Equal([1, 2], fanChip.TemperatureChannels);
    }

    [Fact]
    public async Task Tachometer_reads_rpm_and_sees_a_stopped_fan()
    {
        var fan1 = FanTachometer.Open("emc2301", 1, _sys.Root);
        var fan2 = FanTachometer.Open("emc2301", 2, _sys.Root);

        FanSpeed running = await fan1.ReadSpeedAsync(CancellationToken.None);
        FanSpeed stopped = await fan2.ReadSpeedAsync(CancellationToken.None);

        Assert.Equal(3120, running.RevolutionsPerMinute);
        Assert.False(running.IsStopped);
        Assert.True(stopped.IsStopped);
    }

    [Fact]
    public async Task Garbage_rpm_is_malformed_naming_the_file()
    {
        var fan3 = FanTachometer.Open("emc2301", 3, _sys.Root);

        var ex = await Assert.ThrowsAsync<SensorReadException>(() => fan3.ReadSpeedAsync(CancellationToken.None));

        Assert.Equal(SensorErrorKind.Malformed, ex.Kind);
        Assert.Equal(_sys.PathOf("hwmon2/fan3_input"), ex.Path);
        Assert.Contains("n/a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_channel_lists_the_channels_that_exist()
    {
        var fan9 = FanTachometer.Open("emc2301", 9, _sys.Root);

        var ex = await Assert.ThrowsAsync<SensorReadException>(() => fan9.ReadSpeedAsync(CancellationToken.None));

        Assert.Equal(SensorErrorKind.Missing, ex.Kind);
        Assert.Contains("fan inputs 1, 2, 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_chip_name_lists_the_names_present()
    {
        var ex = Assert.Throws<SensorReadException>(() => HwmonDevice.FindByName("nct6775", _sys.Root));

        Assert.Equal(SensorErrorKind.Missing, ex.Kind);
        Assert.Contains("cpu_thermal, emc2301, nvme", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_temperature_is_malformed()
    {
        _sys.Write("hwmon0/temp2_input", "hot\n");
        var cpu = HwmonDevice.FindByName("cpu_thermal", _sys.Root);

        var ex = await Assert.ThrowsAsync<SensorReadException>(() => cpu.ReadTemperatureAsync(2, CancellationToken.None));

        Assert.Equal(SensorErrorKind.Malformed, ex.Kind);
    }
}
