using System.Device.Gpio;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;

namespace CloudMining.Farm.Simulator.Power;

/// <summary>GpioChip "sim": an in-memory <see cref="GpioDriverSimulator"/> with a line for every relay (at least 16, at most 64). Registered by `farm-sim agent`, never by farm-agent.</summary>
public sealed class SimulatedChipProvider : IRelayChipProvider
{
    /// <summary>The GpioChip value this provider claims.</summary>
    public const string Chip = "sim";

    /// <summary>The most lines the simulated chip has, like a large real chip.</summary>
    public const int MaxLines = 64;

    public bool Claims(string chip) => string.Equals(chip, Chip, StringComparison.OrdinalIgnoreCase);

    public string? Problem(string chip) => null;

    public GpioDriver Open(string chip, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int lines = Math.Clamp(options.Hardware.Relays.Select(r => r.Line + 1).DefaultIfEmpty(1).Max(), 1, MaxLines);
        return new GpioDriverSimulator(Math.Max(lines, 16));
    }

    public CheckResult Check(string chip, IReadOnlyCollection<int> lines) =>
        CheckResult.Pass("relay", chip, "simulated GPIO chip (farm-sim agent): no hardware to open");
}
