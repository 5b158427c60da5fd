using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpiochip_info from linux/gpio.h: what GPIO_GET_CHIPINFO_IOCTL fills in.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioChipInfo
{
    public fixed byte Name[GpioUapi.MaxNameSize];
    public fixed byte Label[GpioUapi.MaxNameSize];
    public uint Lines;

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

    public readonly string LabelText
    {
        get
        {
            fixed (byte* p = Label)
            {
                return GpioUapi.CString(p, GpioUapi.MaxNameSize);
            }
        }
    }
}
