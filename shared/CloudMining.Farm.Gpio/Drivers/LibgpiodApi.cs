namespace CloudMining.Farm.Gpio.Drivers;

/// <summary>The libgpiod API a machine offers, and so which System.Device.Gpio driver opens its chips.</summary>
public enum LibgpiodApi
{
    /// <summary>libgpiod 1.x (libgpiod.so.2): System.Device.Gpio's LibGpiodDriver.</summary>
    V1 = 1,

    /// <summary>libgpiod 2.x (libgpiod.so.3): System.Device.Gpio's LibGpiodV2Driver.</summary>
    V2 = 2,
}
