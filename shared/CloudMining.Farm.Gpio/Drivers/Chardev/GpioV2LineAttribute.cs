using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpio_v2_line_attribute: an id and a 64-bit union (flags, output values or debounce period).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct GpioV2LineAttribute
{
    [FieldOffset(0)]
    public uint Id;

    [FieldOffset(4)]
    public uint Padding;

    [FieldOffset(8)]
    public ulong Flags;

    [FieldOffset(8)]
    public ulong Values;

    [FieldOffset(8)]
    public uint DebouncePeriodUs;
}
