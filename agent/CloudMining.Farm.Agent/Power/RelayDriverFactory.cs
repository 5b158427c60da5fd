using System.Device.Gpio;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Gpio.Drivers;

namespace CloudMining.Farm.Agent.Power;

/// <summary>Creates the GPIO driver for the relay board from Agent:Hardware:GpioChip: a device path (System.Device.Gpio's libgpiod driver), "sim", or "sim-http://HOST:PORT" (demo).</summary>
public static class RelayDriverFactory
{
    /// <summary>Opens the chip; a chip that cannot be opened (or no libgpiod) becomes an <see cref="AgentConfigurationException"/> naming the key.</summary>
    public static GpioDriver Create(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string chip = options.Hardware.GpioChip.Trim();
        if (string.Equals(chip, HardwareMapValidator.SimulatedChip, StringComparison.OrdinalIgnoreCase))
        {
            int lines = Math.Clamp(options.Hardware.Relays.Select(r => r.Line + 1).DefaultIfEmpty(1).Max(), 1, 64);
            return new GpioDriverSimulator(Math.Max(lines, 16));
        }

        if (chip.StartsWith(HardwareMapValidator.SimulatorHttpPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return new SimulatorHttpRelayDriver(new Uri("http://" + chip[HardwareMapValidator.SimulatorHttpPrefix.Length..]), options.Hardware.Relays);
        }

        try
        {
            return LibgpiodDriverFactory.Open(chip);
        }
        catch (GpioChipException e)
        {
            throw new AgentConfigurationException($"{AgentOptions.SectionName}:Hardware:GpioChip: {e.Message}", e);
        }
    }
}
