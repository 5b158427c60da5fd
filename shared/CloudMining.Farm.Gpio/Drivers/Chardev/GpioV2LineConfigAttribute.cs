using System.Runtime.InteropServices;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>struct gpio_v2_line_config_attribute: an attribute and the request-relative lines it applies to.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineConfigAttribute
{
    public GpioV2LineAttribute Attr;
    public ulong Mask;
}
