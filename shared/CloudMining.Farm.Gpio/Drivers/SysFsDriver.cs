using System.Globalization;
using CloudMining.Farm.Gpio.Sysfs;

namespace CloudMining.Farm.Gpio.Drivers;

/// <summary>GPIO through the legacy /sys/class/gpio interface (export, direction, value, active_low), for kernels or boards without a usable chardev.</summary>
/// <remarks>Pin numbers here are the global sysfs numbers (chip base + offset). The interface is deprecated upstream;
/// prefer <see cref="ChardevDriver"/>. The root is configurable so tests run on a tree they build.</remarks>
public sealed class SysFsDriver : GpioDriver
{
    public const string DefaultRoot = "/sys/class/gpio";

    private const string Advice = "The legacy sysfs GPIO interface needs CONFIG_GPIO_SYSFS and write access (root, or the 'gpio' group via udev); prefer ChardevDriver on current kernels.";

    private readonly Lock _gate = new();
    private readonly HashSet<int> _activeLow;
    private readonly Dictionary<int, PinMode> _open = [];
    private readonly TimeProvider _timeProvider;
    private readonly int _pinCount;

    public SysFsDriver(string root = DefaultRoot, IEnumerable<int>? activeLowPins = null, TimeProvider? timeProvider = null, TimeSpan? exportTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root;
        _activeLow = [.. activeLowPins ?? []];
        _timeProvider = timeProvider ?? TimeProvider.System;
        ExportTimeout = exportTimeout ?? TimeSpan.FromSeconds(2);
        if (!Directory.Exists(root))
        {
            throw new GpioChipException($"{root} does not exist. {Advice}", root);
        }

        _pinCount = CountPins(root);
    }

    public string Root { get; }

    /// <summary>How long to wait for the kernel to create gpioN after an export.</summary>
    public TimeSpan ExportTimeout { get; }

    protected internal override int PinCount => _pinCount;

    protected internal override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            string pinDir = PinDir(pinNumber);
            if (!Directory.Exists(pinDir))
            {
                WriteOrThrow(Path.Combine(Root, "export"), pinNumber.ToString(CultureInfo.InvariantCulture), $"export pin {pinNumber}");
                if (!SysfsAttribute.WaitUntilExists(Path.Combine(pinDir, "value"), ExportTimeout, _timeProvider))
                {
                    throw new GpioChipException(
                        $"Exported pin {pinNumber} but {pinDir}/value did not appear within {ExportTimeout.TotalSeconds:0.#} s. Check the pin number is a global sysfs number (chip base + offset, see {Root}/gpiochip*/base) and that no driver owns the line.",
                        pinDir);
                }
            }

            // Always write active_low so a setting left behind by another program cannot invert our relay.
            WriteOrThrow(Path.Combine(pinDir, "active_low"), _activeLow.Contains(pinNumber) ? "1" : "0", $"set active_low of pin {pinNumber}");
            string direction = ReadOrThrow(Path.Combine(pinDir, "direction"), $"read direction of pin {pinNumber}");
            _open[pinNumber] = direction == "out" ? PinMode.Output : PinMode.Input;
        }
    }

    protected internal override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            if (_open.Remove(pinNumber))
            {
                WriteOrThrow(Path.Combine(Root, "unexport"), pinNumber.ToString(CultureInfo.InvariantCulture), $"unexport pin {pinNumber}");
            }
        }
    }

    protected internal override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            ThrowIfUnsupported(mode);
            WriteOrThrow(Path.Combine(PinDir(pinNumber), "direction"), mode == PinMode.Output ? "out" : "in", $"set pin {pinNumber} to {mode}");
            _open[pinNumber] = mode;
        }
    }

    protected internal override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        if (mode != PinMode.Output)
        {
            SetPinMode(pinNumber, mode);
            return;
        }

        lock (_gate)
        {
            // "high"/"low" make direction and level change together; the kernel applies them raw, so undo active-low here.
            bool physicalHigh = initialValue == PinValue.High ^ _activeLow.Contains(pinNumber);
            WriteOrThrow(Path.Combine(PinDir(pinNumber), "direction"), physicalHigh ? "high" : "low", $"set pin {pinNumber} to output");
            _open[pinNumber] = PinMode.Output;
        }
    }

    protected internal override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return _open.TryGetValue(pinNumber, out PinMode mode)
                ? mode
                : throw new InvalidOperationException($"Pin {pinNumber} is not open; call OpenPin first.");
        }
    }

    /// <summary>sysfs has no bias control, so pull-up/down inputs are not offered rather than silently ignored.</summary>
    protected internal override bool IsPinModeSupported(int pinNumber, PinMode mode) => mode is PinMode.Input or PinMode.Output;

    protected internal override PinValue Read(int pinNumber)
    {
        string path = Path.Combine(PinDir(pinNumber), "value");
        string text = ReadOrThrow(path, $"read pin {pinNumber}");
        return text switch
        {
            "0" => PinValue.Low,
            "1" => PinValue.High,
            _ => throw new GpioChipException($"{path} holds '{Printable(text)}', expected 0 or 1. Is {Root} really the sysfs GPIO class?", path),
        };
    }

    protected internal override void Write(int pinNumber, PinValue value) =>
        WriteOrThrow(Path.Combine(PinDir(pinNumber), "value"), value == PinValue.High ? "1" : "0", $"write pin {pinNumber}");

    private static int CountPins(string root)
    {
        int count = 0;
        foreach (string chip in Directory.EnumerateDirectories(root, "gpiochip*"))
        {
            if (int.TryParse(ReadOrThrow(Path.Combine(chip, "base"), "read chip base"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int chipBase)
                && int.TryParse(ReadOrThrow(Path.Combine(chip, "ngpio"), "read chip size"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int ngpio))
            {
                count = Math.Max(count, chipBase + ngpio);
            }
        }

        return count;
    }

    private static string Printable(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static void ThrowIfUnsupported(PinMode mode)
    {
        if (mode is not (PinMode.Input or PinMode.Output))
        {
            throw new GpioChipException($"{mode} needs bias control, which sysfs GPIO does not have; use ChardevDriver or an external resistor.");
        }
    }

    private static string ReadOrThrow(string path, string what)
    {
        try
        {
            return SysfsAttribute.Read(path);
        }
        catch (SysfsAccessException ex)
        {
            throw new GpioChipException($"Cannot {what}: {ex.Message}. {Advice}", path, innerException: ex);
        }
    }

    private static void WriteOrThrow(string path, string value, string what)
    {
        try
        {
            SysfsAttribute.Write(path, value);
        }
        catch (SysfsAccessException ex)
        {
            throw new GpioChipException($"Cannot {what}: {ex.Message}. {Advice}", path, innerException: ex);
        }
    }

    private string PinDir(int pinNumber) => Path.Combine(Root, "gpio" + pinNumber.ToString(CultureInfo.InvariantCulture));
}
