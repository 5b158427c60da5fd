using System.Device.Pwm;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Gpio.Pwm;
using CloudMining.Farm.Gpio.Sensors;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>One configured fan group at run time: its PWM output, the duty last written, and its optional tachometer.</summary>
public sealed class FanGroup
{
    /// <summary>Duty changes smaller than this are not written: sysfs takes whole nanoseconds anyway.</summary>
    private const double DutyResolutionPercent = 0.05;

    private readonly PwmChannel _channel;
    private readonly HwmonInput? _tachometer;
    private readonly string _hwmonRoot;
    private readonly string _output;

    private FanGroup(FanGroupOptions options, PwmChannel channel, HwmonInput? tachometer, string hwmonRoot, FanFailureDetector? detector)
    {
        Name = options.Name;
        MinDutyPercent = options.MinDutyPercent;
        MinRpm = options.MinRpm;
        _channel = channel;
        _tachometer = tachometer;
        _hwmonRoot = hwmonRoot;
        _output = $"pwmchip{options.PwmChip}/pwm{options.PwmChannel}";
        Detector = detector;
        DutyPercent = channel.DutyCycle * 100;
    }

    public string Name { get; }

    public double MinDutyPercent { get; }

    public int MinRpm { get; }

    /// <summary>The duty last written to the channel.</summary>
    public double DutyPercent { get; private set; }

    public bool HasTachometer => _tachometer is not null;

    public string? TachometerInput => _tachometer?.ToString();

    /// <summary>Null when the group has no tachometer.</summary>
    public FanFailureDetector? Detector { get; }

    /// <summary>True while the tachometer cannot be read (one event per outage, not one per read).</summary>
    public bool TachometerLost { get; set; }

    /// <summary>Exports the channel, drives it at 100 % and enables it: until the loop has read a temperature, full speed is the safe guess.</summary>
    public static FanGroup Open(FanGroupOptions options, ThermalOptions thermal, SysfsLayout layout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(thermal);
        ArgumentNullException.ThrowIfNull(layout);
        var channel = new SysfsPwmChannel(options.PwmChip, options.PwmChannel, options.FrequencyHz, 100, layout.PwmRoot, time);
        channel.Start();
        HwmonInput? tach = HwmonInput.TryParse(options.Tachometer, out HwmonInput? parsed) ? parsed : null;
        FanFailureDetector? detector = tach is null ? null : new FanFailureDetector(options.MinRpm, thermal.FanFailureAboveDutyPercent, thermal.FanFailureReads);
        return new FanGroup(options, channel, tach, layout.HwmonRoot, detector);
    }

    /// <summary>The duty this group runs at for a demand: never below its minimum, never above 100 %.</summary>
    public double Clamp(double demandPercent) => Math.Clamp(demandPercent, Math.Min(MinDutyPercent, 100), 100);

    /// <summary>Writes the duty if it differs from the last one written; true when it did. Throws <see cref="PwmException"/>.</summary>
    public bool SetDuty(double percent)
    {
        if (Math.Abs(percent - DutyPercent) < DutyResolutionPercent)
        {
            return false;
        }

        _channel.DutyCycle = percent / 100;
        DutyPercent = percent;
        return true;
    }

    /// <summary>Full speed, and the output enabled in case something disabled it: what the agent leaves behind when it stops.</summary>
    public void FullSpeed()
    {
        _channel.DutyCycle = 1;
        DutyPercent = 100;
        _channel.Start();
    }

    /// <summary>Reads the tachometer now; throws <see cref="SensorReadException"/> when it cannot.</summary>
    public async Task<FanSpeed> ReadSpeedAsync(CancellationToken cancellationToken)
    {
        if (_tachometer is null)
        {
            throw new InvalidOperationException($"Fan group {Name} has no tachometer.");
        }

        HwmonDevice device = _tachometer.Resolve(_hwmonRoot);
        return await device.ReadFanSpeedAsync(_tachometer.Channel, cancellationToken);
    }

    public override string ToString() => $"{Name} ({_output})";
}
