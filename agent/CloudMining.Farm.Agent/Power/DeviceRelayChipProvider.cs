using System.Device.Gpio;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Gpio.Drivers;

namespace CloudMining.Farm.Agent.Power;

/// <summary>The relay board's GPIO character device (an absolute path, "/dev/gpiochip0"), opened through System.Device.Gpio's libgpiod driver.</summary>
public sealed class DeviceRelayChipProvider : IRelayChipProvider
{
    private const string Key = AgentOptions.SectionName + ":Hardware:GpioChip";

    public bool Claims(string chip) => chip is not null && chip.StartsWith('/');

    public string? Problem(string chip) => null;

    public GpioDriver Open(string chip, AgentOptions options)
    {
        try
        {
            return LibgpiodDriverFactory.Open(chip);
        }
        catch (GpioChipException e)
        {
            throw new AgentConfigurationException($"{Key}: {e.Message}", e);
        }
    }

    public CheckResult Check(string chip, IReadOnlyCollection<int> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        try
        {
            using (File.OpenHandle(chip, FileMode.Open, FileAccess.Read))
            {
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return CheckResult.Fail("relay", chip, $"{chip} does not exist", "check the chip with `ls /dev/gpiochip*` and fix Agent:Hardware:GpioChip");
        }
        catch (UnauthorizedAccessException)
        {
            return CheckResult.Fail("relay", chip, $"{chip} cannot be opened: permission denied", "the agent's user needs the gpio group (`sudo usermod -aG gpio farm-agent`); run check as that user or with sudo");
        }
        catch (IOException e)
        {
            return CheckResult.Fail("relay", chip, $"{chip} cannot be opened: {e.Message}");
        }

        try
        {
            // Opening the chip requests no line: nothing can switch, and the running agent's lines are not disturbed.
            using GpioDriver driver = LibgpiodDriverFactory.Open(chip);
            GpioChipInfo info = driver.GetChipInfo();
            int[] outOfRange = [.. lines.Where(l => l >= info.NumLines).Order()];
            if (outOfRange.Length > 0)
            {
                return CheckResult.Fail("relay", chip, $"{chip} ({info.Label}) has lines 0..{info.NumLines - 1}; relay line(s) {string.Join(", ", outOfRange)} do not exist", "check the relay board's wiring against `gpioinfo`");
            }

            // The libgpiod drivers do not say who holds a line; a line held by another program fails the agent's start
            // with a config error, and `gpioinfo` names the holder.
            return CheckResult.Pass("relay", chip, $"{info.Name} ({info.Label}), {info.NumLines} lines, through System.Device.Gpio's {driver.GetType().Name}");
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
            return CheckResult.Fail("relay", chip, e.Message);
        }
    }
}
