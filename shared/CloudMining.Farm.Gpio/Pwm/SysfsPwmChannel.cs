using System.Device.Pwm;
using System.Globalization;
using CloudMining.Farm.Gpio.Sysfs;

namespace CloudMining.Farm.Gpio.Pwm;

/// <summary>One PWM output through /sys/class/pwm/pwmchipN/pwmM (period, duty_cycle, enable), used for fan speed: a System.Device.Pwm <see cref="PwmChannel"/>.</summary>
/// <remarks>Ours rather than <see cref="PwmChannel.Create"/>'s sysfs channel, because that one stops the output and unexports
/// the channel on Dispose (an agent that exits must not stop the fans: here Dispose leaves it running) and is fixed to
/// /sys/class/pwm (here the root is a parameter, so tests run on a tree they build). Duty is also offered in percent, the
/// unit fan curves use.</remarks>
public sealed class SysfsPwmChannel : PwmChannel
{
    public const string DefaultRoot = "/sys/class/pwm";

    private const long NanosecondsPerSecond = 1_000_000_000;
    private const string Advice = "Check the PWM overlay is enabled (e.g. dtoverlay=pwm-2chan on a Pi), the chip/channel numbers, and write access to /sys/class/pwm (root or a udev rule).";

    private readonly Lock _gate = new();
    private int _frequency;
    private double _dutyCyclePercent;

    /// <summary>Exports the channel if needed and programs the given frequency and duty; the output stays disabled until <see cref="Start"/>.</summary>
    public SysfsPwmChannel(int chip, int channel, int frequency = 25_000, double dutyCyclePercent = 0, string root = DefaultRoot, TimeProvider? timeProvider = null, TimeSpan? exportTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chip);
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentException.ThrowIfNullOrEmpty(root);
        Chip = chip;
        Channel = channel;
        ChipDirectory = Path.Combine(root, "pwmchip" + chip.ToString(CultureInfo.InvariantCulture));
        ChannelDirectory = Path.Combine(ChipDirectory, "pwm" + channel.ToString(CultureInfo.InvariantCulture));
        Export(timeProvider ?? TimeProvider.System, exportTimeout ?? TimeSpan.FromSeconds(2));
        Apply(CheckFrequency(frequency), CheckPercent(dutyCyclePercent));
    }

    public int Chip { get; }

    public int Channel { get; }

    public string ChipDirectory { get; }

    public string ChannelDirectory { get; }

    /// <summary>Frequency in hertz; 25 kHz is the 4-wire fan standard.</summary>
    public override int Frequency
    {
        get
        {
            lock (_gate)
            {
                return _frequency;
            }
        }

        set
        {
            lock (_gate)
            {
                Apply(CheckFrequency(value), _dutyCyclePercent);
            }
        }
    }

    /// <summary>Share of each period the output is high, 0 to 100.</summary>
    public double DutyCyclePercent
    {
        get
        {
            lock (_gate)
            {
                return _dutyCyclePercent;
            }
        }

        set
        {
            lock (_gate)
            {
                Apply(_frequency, CheckPercent(value));
            }
        }
    }

    /// <summary>Duty as a fraction 0..1, the unit <see cref="PwmChannel.DutyCycle"/> uses.</summary>
    public override double DutyCycle
    {
        get => DutyCyclePercent / 100.0;
        set => DutyCyclePercent = value * 100.0;
    }

    public bool IsEnabled
    {
        get
        {
            lock (_gate)
            {
                return Read("enable") == "1";
            }
        }
    }

    public long PeriodNanoseconds => NanosecondsPerSecond / Frequency;

    /// <summary>Duty cycle in nanoseconds for a period and a percentage, rounded to the nearest nanosecond.</summary>
    public static long DutyNanoseconds(long periodNanoseconds, double dutyCyclePercent) =>
        (long)Math.Round(periodNanoseconds * dutyCyclePercent / 100.0, MidpointRounding.AwayFromZero);

    public override void Start()
    {
        lock (_gate)
        {
            Write("enable", "1");
        }
    }

    public override void Stop()
    {
        lock (_gate)
        {
            Write("enable", "0");
        }
    }

    protected override void Dispose(bool disposing)
    {
        // Nothing to release: sysfs holds no handle, and the output deliberately keeps running (see remarks).
        base.Dispose(disposing);
    }

    private static int CheckFrequency(int hz)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hz);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hz, (int)NanosecondsPerSecond);
        return hz;
    }

    private static double CheckPercent(double percent)
    {
        if (double.IsNaN(percent) || percent < 0 || percent > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "Duty cycle is a percentage from 0 to 100.");
        }

        return percent;
    }

    private void Export(TimeProvider timeProvider, TimeSpan timeout)
    {
        if (!Directory.Exists(ChipDirectory))
        {
            throw new PwmException($"PWM chip {ChipDirectory} does not exist. {Advice}", ChipDirectory);
        }

        if (Directory.Exists(ChannelDirectory))
        {
            return;
        }

        WriteAt(Path.Combine(ChipDirectory, "export"), Channel.ToString(CultureInfo.InvariantCulture));
        if (!SysfsAttribute.WaitUntilExists(Path.Combine(ChannelDirectory, "enable"), timeout, timeProvider))
        {
            throw new PwmException(
                $"Exported PWM channel {Channel} of {ChipDirectory} but {ChannelDirectory}/enable did not appear within {timeout.TotalSeconds:0.#} s. Check {ChipDirectory}/npwm covers channel {Channel}. {Advice}",
                ChannelDirectory);
        }
    }

    private void Apply(int frequency, double percent)
    {
        long period = NanosecondsPerSecond / frequency;
        long duty = DutyNanoseconds(period, percent);

        // The kernel rejects a duty longer than the period, so order the writes to keep duty <= period at every step.
        long currentDuty = long.TryParse(Read("duty_cycle"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long d) ? d : 0;
        if (currentDuty > period)
        {
            Write("duty_cycle", duty.ToString(CultureInfo.InvariantCulture));
            Write("period", period.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            Write("period", period.ToString(CultureInfo.InvariantCulture));
            Write("duty_cycle", duty.ToString(CultureInfo.InvariantCulture));
        }

        _frequency = frequency;
        _dutyCyclePercent = percent;
    }

    private string Read(string attribute)
    {
        string path = Path.Combine(ChannelDirectory, attribute);
        try
        {
            return SysfsAttribute.Read(path);
        }
        catch (SysfsAccessException ex)
        {
            throw new PwmException($"Cannot read {path}: {ex.InnerException?.Message}. {Advice}", path, ex);
        }
    }

    private void Write(string attribute, string value) => WriteAt(Path.Combine(ChannelDirectory, attribute), value);

    private static void WriteAt(string path, string value)
    {
        try
        {
            SysfsAttribute.Write(path, value);
        }
        catch (SysfsAccessException ex)
        {
            throw new PwmException($"Cannot write '{value}' to {path}: {ex.InnerException?.Message}. {Advice}", path, ex);
        }
    }
}
