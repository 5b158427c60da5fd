using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Simulator.Power;
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
        var ex = Assert.Throws<AgentConfigurationException>(() => RelayDriverFactory.Product.Create(WithChip("/dev/gpiochip99")));

        Assert.StartsWith("Agent:Hardware:GpioChip: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/gpiochip99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_is_no_gpio_chip_is_a_config_error_saying_what_to_write()
    {
        var ex = Assert.Throws<AgentConfigurationException>(() => RelayDriverFactory.Product.Create(WithChip("/dev/ttyS0")));

        Assert.Contains("Agent:Hardware:GpioChip: '/dev/ttyS0' is not a GPIO chip device", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sim")]
    [InlineData("sim-http://127.0.0.1:8028")]
    public void The_product_has_no_simulated_chip_and_says_where_they_are(string chip)
    {
        var ex = Assert.Throws<AgentConfigurationException>(() => RelayDriverFactory.Product.Create(WithChip(chip)));

        Assert.StartsWith($"Agent:Hardware:GpioChip: '{chip}' is a simulated chip, and farm-agent has none", ex.Message, StringComparison.Ordinal);
        Assert.Contains("simulated chips are provided by `farm-sim agent", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"/dev/gpiochip0\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sim")]
    [InlineData("sim-http://127.0.0.1:8028")]
    public void The_product_refuses_a_simulated_chip_at_start_even_without_relays(string chip)
    {
        var o = new AgentOptions { RackId = "A-07", Site = "test" };
        o.Miners.Add(new MinerOptions { Id = "A07-01", Address = "10.0.0.30" });
        o.Hardware.GpioChip = chip;

        string error = Assert.Single(AgentOptionsValidator.Check(o));

        Assert.Contains("simulated chips are provided by `farm-sim agent", error, StringComparison.Ordinal);
        Assert.Empty(AgentOptionsValidator.Check(o, SimulatedRelayChips.Factory));
    }

    [Fact]
    public void The_simulator_registers_the_simulated_chip_which_needs_no_hardware()
    {
        using System.Device.Gpio.GpioDriver driver = SimulatedRelayChips.Factory.Create(WithChip("sim"));
        Assert.IsType<GpioDriverSimulator>(driver);
    }

    [Fact]
    public void The_simulator_still_opens_device_paths_like_the_product()
    {
        var ex = Assert.Throws<AgentConfigurationException>(() => SimulatedRelayChips.Factory.Create(WithChip("/dev/gpiochip99")));

        Assert.Contains("/dev/gpiochip99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_simulator_address_that_is_no_address_is_named_by_the_key()
    {
        string? problem = SimulatedRelayChips.Factory.Problem("sim-http://");

        Assert.Equal("Agent:Hardware:GpioChip: 'sim-http://' is not a usable address; write the simulator's control address, e.g. \"sim-http://127.0.0.1:8028\".", problem);
    }
}
