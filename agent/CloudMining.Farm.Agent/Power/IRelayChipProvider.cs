using System.Device.Gpio;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Configuration;

namespace CloudMining.Farm.Agent.Power;

/// <summary>
/// One kind of relay chip that Agent:Hardware:GpioChip can name. farm-agent has one (a GPIO character device,
/// <see cref="DeviceRelayChipProvider"/>); the simulator adds its own ("sim", "sim-http://…") when it runs the agent
/// (`farm-sim agent …`), so nothing simulated ships in the product.
/// </summary>
public interface IRelayChipProvider
{
    /// <summary>True when the GpioChip value is this provider's to open (e.g. an absolute device path).</summary>
    bool Claims(string chip);

    /// <summary>What is wrong with a value this provider claims, without the key (the caller adds it); null when usable.</summary>
    string? Problem(string chip);

    /// <summary>Opens the chip for the relay controller; a chip that cannot be opened throws <see cref="AgentConfigurationException"/>.</summary>
    GpioDriver Open(string chip, AgentOptions options);

    /// <summary>What `farm-agent check` reports about the chip: opens it if it can but requests and drives no line.</summary>
    CheckResult Check(string chip, IReadOnlyCollection<int> lines);
}
