using System.Globalization;
using System.Text.RegularExpressions;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Gpio.Sensors;

/// <summary>One hardware-monitoring chip under /sys/class/hwmon (hwmonN): its name, temperature inputs and fan tachometers.</summary>
public sealed partial class HwmonDevice
{
    public const string DefaultRoot = "/sys/class/hwmon";

    public HwmonDevice(string directory, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
        Name = name;
    }

    /// <summary>The hwmonN directory.</summary>
    public string Directory { get; }

    /// <summary>The driver's name file (e.g. cpu_thermal, nct6775, emc2301); hwmonN numbers change between boots, names do not.</summary>
    public string Name { get; }

    /// <summary>Every hwmon device under <paramref name="root"/>, in hwmonN order; devices whose name cannot be read are listed with an empty name.</summary>
    public static IReadOnlyList<HwmonDevice> Enumerate(string root = DefaultRoot)
    {
        if (!System.IO.Directory.Exists(root))
        {
            return [];
        }

        // hwmonN entries are symlinks into /sys/devices, so list entries and keep the ones that resolve to directories.
        return System.IO.Directory.EnumerateFileSystemEntries(root, "hwmon*")
            .Where(System.IO.Directory.Exists)
            .OrderBy(NumberOf)
            .Select(dir => new HwmonDevice(dir, TryReadName(dir)))
            .ToList();
    }

    /// <summary>The device with the given name; throws <see cref="SensorReadException"/> listing the names present when none matches.</summary>
    public static HwmonDevice FindByName(string name, string root = DefaultRoot)
    {
        IReadOnlyList<HwmonDevice> all = Enumerate(root);
        return all.FirstOrDefault(d => d.Name == name)
            ?? throw new SensorReadException(SensorErrorKind.Missing, root,
                $"No hwmon device named '{name}' under {root} (present: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(d => d.Name)))}). Check the chip's kernel module is loaded and the name in the agent configuration.");
    }

    /// <summary>The N of each tempN_input file, sorted.</summary>
    public IReadOnlyList<int> TemperatureChannels => Channels("temp");

    /// <summary>The N of each fanN_input file, sorted.</summary>
    public IReadOnlyList<int> FanChannels => Channels("fan");

    public async Task<Temperature> ReadTemperatureAsync(int channel, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Directory, $"temp{channel.ToString(CultureInfo.InvariantCulture)}_input");
        string text = await SysfsReading.ReadAsync(path, $"{Name} has temperature inputs {Describe(TemperatureChannels)}; check the channel in the agent configuration.", cancellationToken);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long milli))
        {
            throw new SensorReadException(SensorErrorKind.Malformed, path, $"{path} holds '{SysfsReading.Printable(text)}', expected an integer in millidegrees Celsius.");
        }

        return Temperature.FromCelsius(milli / 1000.0);
    }

    public async Task<FanSpeed> ReadFanSpeedAsync(int channel, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Directory, $"fan{channel.ToString(CultureInfo.InvariantCulture)}_input");
        string text = await SysfsReading.ReadAsync(path, $"{Name} has fan inputs {Describe(FanChannels)}; check the fan channel in the agent configuration.", cancellationToken);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int rpm))
        {
            throw new SensorReadException(SensorErrorKind.Malformed, path, $"{path} holds '{SysfsReading.Printable(text)}', expected a non-negative integer rpm.");
        }

        return FanSpeed.FromRpm(rpm);
    }

    public override string ToString() => $"{Name} ({Directory})";

    private static string Describe(IReadOnlyList<int> channels) =>
        channels.Count == 0 ? "none" : string.Join(", ", channels);

    private static string TryReadName(string dir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, "name")).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static int NumberOf(string dir) =>
        int.TryParse(Path.GetFileName(dir).AsSpan("hwmon".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : int.MaxValue;

    private List<int> Channels(string kind) =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, kind + "*_input")
                .Select(f => ChannelFile().Match(Path.GetFileName(f)))
                .Where(m => m.Success && m.Groups["kind"].Value == kind)
                .Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture))
                .Order()
                .ToList()
            : [];

    [GeneratedRegex(@"^(?<kind>[a-z]+)(?<n>\d+)_input$", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelFile();
}
