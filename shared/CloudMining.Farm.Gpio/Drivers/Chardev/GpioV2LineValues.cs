using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpio_v2_line_values: bit i of each mask is line i of the request (offsets[i]).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineValues
{
    public ulong Bits;
    public ulong Mask;
}
