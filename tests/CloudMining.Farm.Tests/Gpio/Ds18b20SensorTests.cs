using CloudMining.Farm.Gpio.Sensors;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>DS18B20 probes on a fake /sys/bus/w1/devices, including the ways real buses go wrong.</summary>
public sealed class Ds18b20SensorTests : IDisposable
{
    private const string Id = "28-0316a2799cff";
    private readonly FakeSysfsTree _sys = new();

    public void Dispose() => _sys.Dispose();

    [Fact]
    public async Task Good_w1_slave_reading_gives_degrees_celsius()
    {
        W1Slave("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");

        var temperature = await new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None);

        Assert.Equal(23.125, temperature.Celsius, 9);
    }

    [Fact]
    public async Task Below_zero_reading_keeps_its_sign()
    {
        W1Slave("ec ff 4b 46 7f ff 0c 10 1c : crc=1c YES\nec ff 4b 46 7f ff 0c 10 1c t=-1250\n");

        var temperature = await new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None);

        Assert.Equal(-1.25, temperature.Celsius, 9);
    }

    [Fact]
    public async Task Crc_no_is_a_crc_failure_naming_the_file()
    {
        string path = W1Slave("72 01 4b 46 7f ff 0e 10 57 : crc=a3 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");

        var ex = await Assert.ThrowsAsync<SensorReadException>(() => new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None));

        Assert.Equal(SensorErrorKind.CrcFailed, ex.Kind);
        Assert.Equal(path, ex.Path);
        Assert.Contains("pull-up", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Power_on_value_of_85_degrees_is_not_a_temperature()
    {
        W1Slave("50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n");

        var ex = await Assert.ThrowsAsync<SensorReadException>(() => new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None));

        Assert.Equal(SensorErrorKind.NoConversion, ex.Kind);
    }

    [Fact]
    public async Task All_zero_scratchpad_passes_crc_but_is_rejected()
    {
        W1Slave("00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n");

        var ex = await Assert.ThrowsAsync<SensorReadException>(() => new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None));

        Assert.Equal(SensorErrorKind.NoConversion, ex.Kind);
        Assert.Contains("all-zero", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57\n")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=warm\n")]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=130000\n")]
    public async Task Malformed_w1_slave_is_reported_as_malformed(string content)
    {
        string path = W1Slave(content);

        var ex = await Assert.ThrowsAsync<SensorReadException>(() => new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None));

        Assert.Equal(SensorErrorKind.Malformed, ex.Kind);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Temperature_file_is_used_when_w1_slave_is_absent()
    {
        _sys.Write($"{Id}/temperature", "31500\n");

        var temperature = await new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None);

        Assert.Equal(31.5, temperature.Celsius, 9);
    }

    [Fact]
    public async Task Unplugged_probe_is_missing_with_the_id_to_look_for()
    {
        var ex = await Assert.ThrowsAsync<SensorReadException>(() => new Ds18b20Sensor(Id, _sys.Root).ReadTemperatureAsync(CancellationToken.None));

        Assert.Equal(SensorErrorKind.Missing, ex.Kind);
        Assert.Contains(Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("w1_therm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Discovery_lists_only_ds18b20_family_devices()
    {
        _sys.CreateDirectory("28-00000b1c2d3e");
        _sys.CreateDirectory("28-0316a2799cff");
        _sys.CreateDirectory("w1_bus_master1");
        _sys.CreateDirectory("10-000802b4c2a1"); // DS18S20, a different family

        var found = Ds18b20Sensor.Discover(_sys.Root);

        Assert.Equal(["28-00000b1c2d3e", "28-0316a2799cff"], found.Select(s => s.DeviceId));
    }

    [Fact]
    public void Discovery_on_a_missing_bus_finds_nothing()
    {
        Assert.Empty(Ds18b20Sensor.Discover(_sys.PathOf("no-bus")));
    }

    private string W1Slave(string content) => _sys.Write($"{Id}/w1_slave", content);
}
