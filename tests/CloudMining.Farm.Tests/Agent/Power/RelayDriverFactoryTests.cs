using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Gpio.Drivers;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Power;

public sealed class RelayDriverFactoryTests
{
    private static AgentOptions WithChip(string chip)
    {
        var o = new AgentOptions();
        o.Hardware.GpioChip = chip;
        o.Hardware.Relays.Add(new RelayOptions { Outlet = "PDU-A/1", Miner = "m1", Line = 1 });
        return o;
    }

    [Fact]
    public void A_relay_chip_that_cannot_be_opened_is_a_config_error_naming_the_key_and_the_chip()
    {
        var ex = Assert.Throws<AgentConfigurationException>(() => RelayDriverFactory.Create(WithChip("/dev/gpiochip99")));

        Assert.StartsWith("Agent:Hardware:GpioChip: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/gpiochip99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_is_no_gpio_chip_is_a_config_error_saying_what_to_write()
    {
        var ex = Assert.Throws<AgentConfigurationException>(() => RelayDriverFactory.Create(WithChip("/dev/ttyS0")));

        Assert.Contains("Agent:Hardware:GpioChip: '/dev/ttyS0' is not a GPIO chip device", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_simulated_chip_needs_no_hardware()
    {
        using System.Device.Gpio.GpioDriver driver = RelayDriverFactory.Create(WithChip("sim"));
        Assert.IsType<GpioDriverSimulator>(driver);
    }
}
