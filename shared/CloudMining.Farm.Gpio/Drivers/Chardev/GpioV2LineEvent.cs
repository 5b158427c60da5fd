using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpio_v2_line_event: one edge, read from a line fd requested with edge detection.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineEvent
{
    public ulong TimestampNs;
    public uint Id;
    public uint Offset;
    public uint Seqno;
    public uint LineSeqno;
    public fixed uint Padding[6];
}
