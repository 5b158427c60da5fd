using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpio_v2_line_info: name, consumer and flags of one line, as GPIO_V2_GET_LINEINFO_IOCTL reports them.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineInfo
{
    public fixed byte Name[GpioUapi.MaxNameSize];
    public fixed byte Consumer[GpioUapi.MaxNameSize];
    public uint Offset;
    public uint NumAttrs;
    public ulong Flags;
    public fixed byte Attrs[GpioUapi.LineNumAttrsMax * 16];
    public fixed uint Padding[4];

    public readonly string NameText
    {
        get
        {
            fixed (byte* p = Name)
            {
                return GpioUapi.CString(p, GpioUapi.MaxNameSize);
            }
        }
    }

    public readonly string ConsumerText
    {
        get
        {
            fixed (byte* p = Consumer)
            {
                return GpioUapi.CString(p, GpioUapi.MaxNameSize);
            }
        }
    }
}
