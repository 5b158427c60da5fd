using System.Device.Gpio;
using BenchmarkDotNet.Attributes;
using CloudMining.Farm.Gpio.Sensors;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Simulator.Power;

namespace CloudMining.Farm.Bench.Gpio;

/// <summary>Cost of the GPIO hot paths: a relay write through System.Device.Gpio's controller over the simulated chip, and parsing a DS18B20 reading.</summary>
[MemoryDiagnoser]
public class GpioBenchmarks : IDisposable
{
    private const string W1Slave = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";

    private readonly GpioController _gpio = new(new GpioDriverSimulator(16, activeLowPins: [3]));
    private PinValue _next = PinValue.High;

    [GlobalSetup]
    public void Setup() => _gpio.OpenPin(3, PinMode.Output, PinValue.Low);

    [Benchmark]
    public void Relay_write_through_controller()
    {
        _gpio.Write(3, _next);
        _next = !_next;
    }

    [Benchmark]
#pragma warning disable CA1822 // BenchmarkDotNet runs instance methods
    public Temperature Parse_ds18b20_w1_slave() => Ds18b20Sensor.ParseW1Slave(W1Slave, "/sys/bus/w1/devices/28-0316a2799cff/w1_slave");
#pragma warning restore CA1822

    public void Dispose()
    {
        _gpio.Dispose();
        GC.SuppressFinalize(this);
    }
}
