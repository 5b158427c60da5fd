using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace CloudMining.Farm.Gpio.Drivers;

/// <summary>
/// Opens a GPIO chip through System.Device.Gpio's libgpiod drivers, choosing the driver by the library installed:
/// <see cref="LibGpiodV2Driver"/> where libgpiod 2 is (libgpiod.so.3, Debian trixie's libgpiod3), else
/// <see cref="LibGpiodDriver"/> on libgpiod 1 (libgpiod.so.2, bookworm's libgpiod2).
/// </summary>
public static partial class LibgpiodDriverFactory
{
    /// <summary>libgpiod 2.x, which <see cref="LibGpiodV2Driver"/> binds to.</summary>
    public const string V2Library = "libgpiod.so.3";

    /// <summary>libgpiod 1.x, which <see cref="LibGpiodDriver"/> binds to (it falls back to the older libgpiod.so.1 itself).</summary>
    public static readonly IReadOnlyList<string> V1Libraries = ["libgpiod.so.2", "libgpiod.so.1"];

    /// <summary>The Debian package to install when neither library is present.</summary>
    public const string DebianPackage = "libgpiod2";

    /// <summary>Opens <paramref name="chipPath"/> (/dev/gpiochipN) with the driver for the installed libgpiod; every failure is a <see cref="GpioChipException"/> saying what to do.</summary>
    public static GpioDriver Open(string chipPath) => Open(chipPath, IsLoadable);

    /// <param name="isLoadable">Whether a native library of that name can be loaded; tests play a machine without libgpiod.</param>
    public static GpioDriver Open(string chipPath, Func<string, bool> isLoadable)
    {
        int chip = ChipNumber(chipPath);
        LibgpiodApi api = Select(isLoadable, chipPath);
        try
        {
            return api == LibgpiodApi.V2 ? new LibGpiodV2Driver(chip) : new LibGpiodDriver(chip);
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            string driver = api == LibgpiodApi.V2 ? nameof(LibGpiodV2Driver) : nameof(LibGpiodDriver);
            throw new GpioChipException(
                $"Cannot open GPIO chip {chipPath} with {driver}: {e.Message} Check the chip exists (`ls /dev/gpiochip*`, `gpiodetect`) and that the agent's user is in the gpio group.",
                chipPath,
                e);
        }
    }

    /// <summary>Which libgpiod API the machine offers: 2 where libgpiod.so.3 loads, else 1 where libgpiod.so.2 (or .so.1) loads.</summary>
    /// <exception cref="GpioChipException">Neither is installed; the message names the package.</exception>
    public static LibgpiodApi Select(Func<string, bool> isLoadable, string chipPath)
    {
        ArgumentNullException.ThrowIfNull(isLoadable);
        if (isLoadable(V2Library))
        {
            return LibgpiodApi.V2;
        }

        if (V1Libraries.Any(isLoadable))
        {
            return LibgpiodApi.V1;
        }

        throw new GpioChipException(
            $"Cannot open GPIO chip {chipPath}: libgpiod is not installed (none of {V2Library}, {string.Join(", ", V1Libraries)} loads). Install it: `sudo apt-get install {DebianPackage}` on Debian bookworm (libgpiod3 on trixie and later), or run `sudo ./install.sh --agent` again, which installs it.",
            chipPath);
    }

    /// <summary>The N of /dev/gpiochipN (after following a udev symlink): the libgpiod drivers open chips by number, so any other path would open a different device.</summary>
    public static int ChipNumber(string chipPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chipPath);
        string resolved = chipPath;
        try
        {
            resolved = File.ResolveLinkTarget(chipPath, returnFinalTarget: true)?.FullName ?? chipPath;
        }
        catch (IOException)
        {
            // Not a link, or a dangling one: the name as written is all there is to go on.
        }

        Match m = ChipName().Match(Path.GetFileName(resolved));
        return m.Success && Path.GetDirectoryName(resolved) == "/dev" && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new GpioChipException(
                $"'{chipPath}' is not a GPIO chip device: System.Device.Gpio's libgpiod drivers open /dev/gpiochipN by its number N. Write the relay board's chip as /dev/gpiochipN (`gpiodetect` lists them).",
                chipPath);
    }

    private static bool IsLoadable(string library)
    {
        if (!NativeLibrary.TryLoad(library, out IntPtr handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    [GeneratedRegex(@"^gpiochip(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ChipName();
}
