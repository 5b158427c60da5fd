using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Gpio.Sensors;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>One configured rack air sensor (DS18B20 or hwmon input) at the inlet or the exhaust; each read goes to sysfs afresh.</summary>
public sealed class RackSensor
{
    private readonly Ds18b20Sensor? _probe;
    private readonly HwmonInput? _hwmon;
    private readonly string _hwmonRoot;

    private RackSensor(string name, SensorPosition position, Ds18b20Sensor? probe, HwmonInput? hwmon, string hwmonRoot)
    {
        Name = name;
        Position = position;
        _probe = probe;
        _hwmon = hwmon;
        _hwmonRoot = hwmonRoot;
    }

    public string Name { get; }

    public SensorPosition Position { get; }

    /// <summary>What a technician looks for: the probe id or the hwmon input.</summary>
    public string Device => _probe?.DeviceId ?? _hwmon!.ToString();

    /// <summary>Builds the sensor from a validated hardware map entry.</summary>
    public static RackSensor Create(SensorOptions options, SysfsLayout layout)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(layout);
        SensorPosition position = ParsePosition(options.Position)
            ?? throw new ArgumentException($"Sensor '{options.Name}' has position '{options.Position}'; expected inlet or exhaust.", nameof(options));
        if (string.Equals(options.Kind, SensorOptions.Ds18b20Kind, StringComparison.OrdinalIgnoreCase))
        {
            return new RackSensor(options.Name, position, new Ds18b20Sensor(options.Device.Trim(), layout.W1Root), null, layout.HwmonRoot);
        }

        if (string.Equals(options.Kind, SensorOptions.HwmonKind, StringComparison.OrdinalIgnoreCase)
            && HwmonInput.TryParse(options.Device, out HwmonInput? input) && input!.Kind == HwmonInput.TemperatureKind)
        {
            return new RackSensor(options.Name, position, null, input, layout.HwmonRoot);
        }

        throw new ArgumentException($"Sensor '{options.Name}' has kind '{options.Kind}' and device '{options.Device}', which the agent cannot read.", nameof(options));
    }

    public static SensorPosition? ParsePosition(string? text) =>
        string.Equals(text?.Trim(), SensorOptions.InletPosition, StringComparison.OrdinalIgnoreCase) ? SensorPosition.Inlet
        : string.Equals(text?.Trim(), SensorOptions.ExhaustPosition, StringComparison.OrdinalIgnoreCase) ? SensorPosition.Exhaust
        : null;

    /// <summary>Reads the temperature now; failures are <see cref="SensorReadException"/> saying which file and what to check.</summary>
    public async Task<Temperature> ReadAsync(CancellationToken cancellationToken)
    {
        if (_probe is not null)
        {
            return await _probe.ReadTemperatureAsync(cancellationToken);
        }

        HwmonDevice device = _hwmon!.Resolve(_hwmonRoot);
        return await device.ReadTemperatureAsync(_hwmon.Channel, cancellationToken);
    }

    public override string ToString() => $"{Name} ({Position.ToString().ToLowerInvariant()}, {Device})";
}
