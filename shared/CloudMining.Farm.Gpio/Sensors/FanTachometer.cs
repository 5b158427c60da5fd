namespace CloudMining.Farm.Gpio.Sensors;

/// <summary>One fan's speed sensor: an hwmon fanN_input on a named chip, resolved by name so hwmonN renumbering does not matter.</summary>
public sealed class FanTachometer
{
    public FanTachometer(HwmonDevice device, int channel)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        Device = device;
        Channel = channel;
    }

    public HwmonDevice Device { get; }

    public int Channel { get; }

    /// <summary>Finds the hwmon chip by name under <paramref name="root"/> and binds to its fan channel.</summary>
    public static FanTachometer Open(string chipName, int channel, string root = HwmonDevice.DefaultRoot) =>
        new(HwmonDevice.FindByName(chipName, root), channel);

    public Task<FanSpeed> ReadSpeedAsync(CancellationToken cancellationToken) =>
        Device.ReadFanSpeedAsync(Channel, cancellationToken);

    public override string ToString() => $"fan{Channel} of {Device}";
}
