using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpio_v2_line_config: default flags for all requested lines plus up to ten per-line attributes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineConfig
{
    public ulong Flags;
    public uint NumAttrs;
    public fixed uint Padding[5];

    // C# cannot hold a fixed array of structs, so the attribute array is raw bytes viewed through SetAttribute.
    public fixed byte Attrs[GpioUapi.LineNumAttrsMax * 24];

    public void SetAttribute(int index, GpioV2LineConfigAttribute attribute)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, GpioUapi.LineNumAttrsMax);
        fixed (byte* p = Attrs)
        {
            ((GpioV2LineConfigAttribute*)p)[index] = attribute;
        }
    }

    public readonly GpioV2LineConfigAttribute GetAttribute(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, GpioUapi.LineNumAttrsMax);
        fixed (byte* p = Attrs)
        {
            return ((GpioV2LineConfigAttribute*)p)[index];
        }
    }
}
