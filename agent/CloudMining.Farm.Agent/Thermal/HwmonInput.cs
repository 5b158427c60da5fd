using System.Globalization;
using System.Text.RegularExpressions;
using CloudMining.Farm.Gpio.Sensors;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// An hwmon input as the hardware map names it, "CHIP/tempN_input" or "CHIP/fanN_input": CHIP is the device's name
/// (stable across boots) or its hwmonN folder. Resolved on every use, so a driver reload that renumbers hwmonN is survived.
/// </summary>
public sealed partial record HwmonInput(string Chip, string Kind, int Channel)
{
    public const string TemperatureKind = "temp";

    public const string FanKind = "fan";

    public static bool TryParse(string? text, out HwmonInput? input)
    {
        input = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        Match m = Pattern().Match(text.Trim());
        if (!m.Success || !int.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int channel))
        {
            return false;
        }

        input = new HwmonInput(m.Groups["chip"].Value, m.Groups["kind"].Value, channel);
        return true;
    }

    /// <summary>The device behind <see cref="Chip"/>; throws <see cref="SensorReadException"/> (Missing) naming the devices present when none matches.</summary>
    public HwmonDevice Resolve(string hwmonRoot)
    {
        HwmonDevice? byFolder = Chip.StartsWith("hwmon", StringComparison.Ordinal)
            ? HwmonDevice.Enumerate(hwmonRoot).FirstOrDefault(d => Path.GetFileName(d.Directory) == Chip)
            : null;
        return byFolder ?? HwmonDevice.FindByName(Chip, hwmonRoot);
    }

    /// <summary>The input file's full path, resolving the chip now.</summary>
    public string PathUnder(string hwmonRoot) => Path.Combine(Resolve(hwmonRoot).Directory, FileName);

    public string FileName => $"{Kind}{Channel.ToString(CultureInfo.InvariantCulture)}_input";

    public override string ToString() => $"{Chip}/{FileName}";

    [GeneratedRegex(@"^(?<chip>[A-Za-z0-9_.:-]+)/(?<kind>temp|fan)(?<n>\d{1,3})_input$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
