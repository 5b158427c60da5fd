using System.Text;

namespace CloudMining.Farm.Gpio.Drivers.Chardev;

/// <summary>Constants and ioctl request numbers of the GPIO character device uAPI v2 (linux/gpio.h), computed as the kernel's macros do.</summary>
/// <remarks>The ioctl encoding is the generic one (x86, x86-64, ARM, ARM64, RISC-V): dir in bits 30-31, size in 16-29,
/// type in 8-15, number in 0-7, with read = 2 and write = 1. A test compiles linux/gpio.h and checks every number here.</remarks>
internal static unsafe class GpioUapi
{
    public const int MaxNameSize = 32;
    public const int LinesMax = 64;
    public const int LineNumAttrsMax = 10;

    public const ulong FlagUsed = 1UL << 0;
    public const ulong FlagActiveLow = 1UL << 1;
    public const ulong FlagInput = 1UL << 2;
    public const ulong FlagOutput = 1UL << 3;
    public const ulong FlagEdgeRising = 1UL << 4;
    public const ulong FlagEdgeFalling = 1UL << 5;
    public const ulong FlagOpenDrain = 1UL << 6;
    public const ulong FlagOpenSource = 1UL << 7;
    public const ulong FlagBiasPullUp = 1UL << 8;
    public const ulong FlagBiasPullDown = 1UL << 9;
    public const ulong FlagBiasDisabled = 1UL << 10;

    public const uint LineEventRisingEdge = 1;
    public const uint LineEventFallingEdge = 2;

    public const uint AttrIdFlags = 1;
    public const uint AttrIdOutputValues = 2;
    public const uint AttrIdDebounce = 3;

    private const uint IocWrite = 1;
    private const uint IocRead = 2;
    private const int IocNrShift = 0;
    private const int IocTypeShift = 8;
    private const int IocSizeShift = 16;
    private const int IocDirShift = 30;
    private const uint GpioIoctlType = 0xB4;

    public static readonly ulong GetChipInfoIoctl = Ior(0x01, sizeof(GpioChipInfo));
    public static readonly ulong GetLineInfoIoctl = Iowr(0x05, sizeof(GpioV2LineInfo));
    public static readonly ulong GetLineIoctl = Iowr(0x07, sizeof(GpioV2LineRequest));
    public static readonly ulong LineSetConfigIoctl = Iowr(0x0D, sizeof(GpioV2LineConfig));
    public static readonly ulong LineGetValuesIoctl = Iowr(0x0E, sizeof(GpioV2LineValues));
    public static readonly ulong LineSetValuesIoctl = Iowr(0x0F, sizeof(GpioV2LineValues));

    /// <summary>The kernel's _IOC(dir, type, nr, size).</summary>
    public static ulong Ioc(uint dir, uint type, uint nr, int size) =>
        ((ulong)dir << IocDirShift) | ((ulong)(uint)size << IocSizeShift) | ((ulong)type << IocTypeShift) | ((ulong)nr << IocNrShift);

    public static ulong Ior(uint nr, int size) => Ioc(IocRead, GpioIoctlType, nr, size);

    public static ulong Iowr(uint nr, int size) => Ioc(IocRead | IocWrite, GpioIoctlType, nr, size);

    /// <summary>Line flags for a mode; active-low is the kernel's job, so values crossing the ioctl are already logical.</summary>
    public static ulong FlagsFor(PinMode mode, bool activeLow)
    {
        ulong flags = mode switch
        {
            PinMode.Output => FlagOutput,
            PinMode.InputPullUp => FlagInput | FlagBiasPullUp,
            PinMode.InputPullDown => FlagInput | FlagBiasPullDown,
            _ => FlagInput,
        };
        return activeLow ? flags | FlagActiveLow : flags;
    }

    public static string CString(byte* p, int max)
    {
        int n = 0;
        while (n < max && p[n] != 0)
        {
            n++;
        }

        return Encoding.ASCII.GetString(p, n);
    }
}
