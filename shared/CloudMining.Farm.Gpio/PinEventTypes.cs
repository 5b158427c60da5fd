namespace CloudMining.Farm.Gpio;

/// <summary>Which value changes a callback wants to hear about (same values as System.Device.Gpio.PinEventTypes).</summary>
[Flags]
public enum PinEventTypes
{
    None = 0,
    Rising = 1,
    Falling = 2,
}
