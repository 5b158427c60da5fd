using System.Device.Gpio;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Configuration;

namespace CloudMining.Farm.Agent.Power;

/// <summary>
/// Chooses the relay chip named by Agent:Hardware:GpioChip among the registered <see cref="IRelayChipProvider"/>s, for
/// validation at start, `farm-agent check`, and opening the chip. The product has only the device-path provider
/// (<see cref="Product"/>); the simulator builds one <see cref="With"/> its simulated chips.
/// </summary>
public sealed class RelayDriverFactory
{
    private const string Key = AgentOptions.SectionName + ":Hardware:GpioChip";

    private readonly IRelayChipProvider[] _providers;

    public RelayDriverFactory(IEnumerable<IRelayChipProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = [.. providers];
    }

    /// <summary>farm-agent's chips: GPIO character devices through System.Device.Gpio's libgpiod driver.</summary>
    public static RelayDriverFactory Product { get; } = new([new DeviceRelayChipProvider()]);

    /// <summary>This factory's providers and <paramref name="more"/> (consulted after the ones already here).</summary>
    public RelayDriverFactory With(params IRelayChipProvider[] more) => new([.. _providers, .. more]);

    /// <summary>The problem with a GpioChip value, starting with the key; null when a provider claims it and finds it usable.</summary>
    public string? Problem(string chip)
    {
        ArgumentNullException.ThrowIfNull(chip);
        string value = chip.Trim();
        if (Find(value) is { } provider)
        {
            return provider.Problem(value) is { } problem ? $"{Key}: {problem}" : null;
        }

        // The simulated chips live in the simulator, not in the product: say so rather than "not a device path".
        return LooksSimulated(value)
            ? $"{Key}: '{value}' is a simulated chip, and farm-agent has none: simulated chips are provided by `farm-sim agent …` " +
              "(the simulator runs the agent with them, as the demo does). On a rack write the relay board's chip, e.g. \"/dev/gpiochip0\" (see `gpiodetect`)."
            : $"{Key}: '{value}' is not a device path; write the relay board's chip as an absolute path, e.g. \"/dev/gpiochip0\" (see `gpiodetect`).";
    }

    /// <summary>Opens the chip; an unknown value or a chip that cannot be opened is an <see cref="AgentConfigurationException"/> naming the key.</summary>
    public GpioDriver Create(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string chip = options.Hardware.GpioChip.Trim();
        if (Problem(chip) is { } problem)
        {
            throw new AgentConfigurationException(problem);
        }

        return Find(chip)!.Open(chip, options);
    }

    /// <summary>The `farm-agent check` line for the chip (a failed line when no provider claims it).</summary>
    public CheckResult Check(string chip, IReadOnlyCollection<int> lines)
    {
        ArgumentNullException.ThrowIfNull(chip);
        string value = chip.Trim();
        string subject = value.Length == 0 ? Key : value;
        if (value.Length == 0)
        {
            return CheckResult.Fail("relay", subject, $"{Key}: is empty", "write the relay board's chip, e.g. \"/dev/gpiochip0\" (`ls /dev/gpiochip*`)");
        }

        return Find(value) is { } provider
            ? provider.Check(value, lines)
            : CheckResult.Fail("relay", subject, Problem(value)![(Key.Length + 2)..]);
    }

    private IRelayChipProvider? Find(string chip) => chip.Length == 0 ? null : _providers.FirstOrDefault(p => p.Claims(chip));

    private static bool LooksSimulated(string chip) =>
        string.Equals(chip, "sim", StringComparison.OrdinalIgnoreCase) || chip.StartsWith("sim-", StringComparison.OrdinalIgnoreCase);
}
