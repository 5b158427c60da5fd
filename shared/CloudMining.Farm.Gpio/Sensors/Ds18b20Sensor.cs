using System.Globalization;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Gpio.Sensors;

/// <summary>A DS18B20 temperature probe on the 1-wire bus, read through the w1_therm driver's sysfs files.</summary>
/// <remarks>Prefers w1_slave, whose first line carries the driver's CRC verdict; falls back to the newer plain
/// <c>temperature</c> file (millidegrees) when w1_slave is absent.</remarks>
public sealed class Ds18b20Sensor
{
    public const string DefaultRoot = "/sys/bus/w1/devices";

    /// <summary>The 1-wire family code of the DS18B20: its device directories are named 28-xxxxxxxxxxxx.</summary>
    public const string FamilyPrefix = "28-";

    private const string MissingAdvice = "Check the probe is plugged in and its id matches `ls /sys/bus/w1/devices`, and that the w1-gpio overlay and w1_therm module are loaded.";

    public Ds18b20Sensor(string deviceId, string root = DefaultRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(root);
        DeviceId = deviceId;
        DeviceDirectory = Path.Combine(root, deviceId);
    }

    public string DeviceId { get; }

    public string DeviceDirectory { get; }

    /// <summary>Every DS18B20 the bus master has enumerated under <paramref name="root"/>, by id.</summary>
    public static IReadOnlyList<Ds18b20Sensor> Discover(string root = DefaultRoot) =>
        !Directory.Exists(root)
            ? []
            : Directory.EnumerateFileSystemEntries(root, FamilyPrefix + "*")
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .Select(id => new Ds18b20Sensor(id, root))
                .ToList();

    /// <summary>Reads one temperature; a real probe takes up to 750 ms to convert, so this is I/O-bound and cancellable.</summary>
    public async Task<Temperature> ReadTemperatureAsync(CancellationToken cancellationToken)
    {
        string w1Slave = Path.Combine(DeviceDirectory, "w1_slave");
        string plain = Path.Combine(DeviceDirectory, "temperature");
        if (File.Exists(w1Slave) || !File.Exists(plain))
        {
            string text = await SysfsReading.ReadAsync(w1Slave, MissingAdvice, cancellationToken);
            return ParseW1Slave(text, w1Slave);
        }

        string millidegrees = await SysfsReading.ReadAsync(plain, MissingAdvice, cancellationToken);
        return ParseMillidegrees(millidegrees, plain);
    }

    /// <summary>Parses w1_therm's two-line w1_slave format ("… crc=57 YES" then "… t=23125").</summary>
    internal static Temperature ParseW1Slave(string text, string path)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || !lines[0].Contains("crc=", StringComparison.Ordinal))
        {
            throw new SensorReadException(SensorErrorKind.Malformed, path,
                $"{path} does not look like w1_therm output (expected a 'crc=.. YES' line and a 't=' line, got '{SysfsReading.Printable(text)}'). Check the device is a DS18B20 (family 28).");
        }

        if (!lines[0].EndsWith("YES", StringComparison.Ordinal))
        {
            throw new SensorReadException(SensorErrorKind.CrcFailed, path,
                $"CRC check failed reading {path} ('{lines[0]}'). The bus is noisy: check the 4.7 kΩ pull-up, cable length and connections; the next read may succeed.");
        }

        // An all-zero scratchpad passes the CRC (the CRC of zeros is zero) but means nothing answered on the bus.
        int colon = lines[0].IndexOf(':', StringComparison.Ordinal);
        string scratchpad = colon >= 0 ? lines[0][..colon] : lines[0];
        if (scratchpad.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(b => b == "00"))
        {
            throw new SensorReadException(SensorErrorKind.NoConversion, path,
                $"{path} returned an all-zero scratchpad: the probe did not answer. Check its data line and ground.");
        }

        int t = lines[1].LastIndexOf("t=", StringComparison.Ordinal);
        if (t < 0)
        {
            throw new SensorReadException(SensorErrorKind.Malformed, path, $"{path} has no 't=' value ('{lines[1]}'). Check the w1_therm driver version.");
        }

        return ParseMillidegrees(lines[1][(t + 2)..], path);
    }

    internal static Temperature ParseMillidegrees(string text, string path)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int milli))
        {
            throw new SensorReadException(SensorErrorKind.Malformed, path,
                $"{path} holds '{SysfsReading.Printable(text)}', expected an integer in millidegrees Celsius.");
        }

        // 85 °C is the scratchpad's reset value: the probe lost power (or parasite power sagged) before converting.
        if (milli == 85_000)
        {
            throw new SensorReadException(SensorErrorKind.NoConversion, path,
                $"{path} reports 85.000 °C, the DS18B20 power-on value: no conversion happened. Check the probe's VDD wire (parasite power is unreliable on long runs).");
        }

        if (milli is < -55_000 or > 125_000)
        {
            throw new SensorReadException(SensorErrorKind.Malformed, path,
                $"{path} reports {milli / 1000.0:F3} °C, outside the DS18B20's -55..125 °C range; the reading is corrupt.");
        }

        return Temperature.FromCelsius(milli / 1000.0);
    }
}
