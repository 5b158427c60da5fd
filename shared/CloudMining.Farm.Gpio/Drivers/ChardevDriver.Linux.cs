using System.Runtime.InteropServices;
using CloudMining.Farm.Gpio.Drivers.Chardev;

namespace CloudMining.Farm.Gpio.Drivers;

/// <summary>The system calls behind <see cref="ChardevDriver"/>: open, ioctl and close on the GPIO character device.</summary>
public sealed unsafe partial class ChardevDriver
{
    private void OpenChip()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new GpioChipException($"Cannot open {ChipPath}: the GPIO character device exists only on Linux; use GpioDriverSimulator elsewhere.", ChipPath);
        }

        int fd = Libc.Open(ChipPath, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new GpioChipException($"Cannot open GPIO chip {ChipPath}: {Describe(errno)}. {AdviceForOpen(errno)}", ChipPath, errno);
        }

        GpioChipInfo info;
        if (Libc.Ioctl(fd, (nuint)GpioUapi.GetChipInfoIoctl, &info) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            string advice = errno == Libc.ENOTTY
                ? "The path is not a GPIO character device; point the agent at a /dev/gpiochipN listed by `ls /dev/gpiochip*`."
                : "Check that the kernel supports the GPIO character device (CONFIG_GPIO_CDEV, Linux 5.10 or later for uAPI v2).";
            throw new GpioChipException($"Cannot read chip info from {ChipPath}: {Describe(errno)}. {advice}", ChipPath, errno);
        }

        _chipFd = fd;
        LineCount = (int)info.Lines;
        ChipName = info.NameText;
        ChipLabel = info.LabelText;
    }

    private int RequestLine(int pinNumber, PinMode mode)
    {
        GpioV2LineRequest request = default;
        request.Offsets[0] = (uint)pinNumber;
        request.NumLines = 1;
        request.SetConsumer(ConsumerLabel);
        request.Config.Flags = GpioUapi.FlagsFor(mode, IsActiveLow(pinNumber));
        if (Libc.Ioctl(_chipFd, (nuint)GpioUapi.GetLineIoctl, &request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string advice = errno switch
            {
                Libc.EBUSY => $"{DescribeHolder(pinNumber)} Stop it or pick another line.",
                Libc.EINVAL => $"The chip has lines 0..{LineCount - 1}; check the pin map in the agent configuration.",
                _ => "Check the pin map and that no other service claims the header.",
            };
            throw new GpioChipException($"Cannot request line {pinNumber} of {ChipPath}: {Describe(errno)}. {advice}", ChipPath, errno);
        }

        return request.Fd;
    }

    /// <summary>Asks the kernel who holds a line and how it is set up (GPIO_V2_GET_LINEINFO_IOCTL); works for lines we do not hold.</summary>
    public GpioLineInfo GetLineInfo(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            ArgumentOutOfRangeException.ThrowIfNegative(pinNumber);
            GpioV2LineInfo info = default;
            info.Offset = (uint)pinNumber;
            if (Libc.Ioctl(_chipFd, (nuint)GpioUapi.GetLineInfoIoctl, &info) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new GpioChipException($"Cannot read line info of line {pinNumber} on {ChipPath}: {Describe(errno)}. The chip has lines 0..{LineCount - 1}.", ChipPath, errno);
            }

            return new GpioLineInfo(
                (int)info.Offset,
                info.NameText,
                info.ConsumerText,
                IsUsed: (info.Flags & GpioUapi.FlagUsed) != 0,
                IsOutput: (info.Flags & GpioUapi.FlagOutput) != 0,
                IsActiveLow: (info.Flags & GpioUapi.FlagActiveLow) != 0);
        }
    }

    private string DescribeHolder(int pinNumber)
    {
        try
        {
            string consumer = GetLineInfo(pinNumber).Consumer;
            return consumer.Length > 0
                ? $"The line is held by '{consumer}' (see `gpioinfo`)."
                : "Another program or kernel driver holds the line (see `gpioinfo`).";
        }
        catch (GpioChipException)
        {
            return "Another program holds the line (see `gpioinfo`).";
        }
    }

    private void Reconfigure(int pinNumber, int lineFd, PinMode mode, PinValue? initialValue, bool edges)
    {
        GpioV2LineConfig config = default;
        config.Flags = GpioUapi.FlagsFor(mode, IsActiveLow(pinNumber));
        if (edges)
        {
            // Both edges always: callbacks filter by kind, so adding a Falling handler later needs no reconfiguration.
            config.Flags |= GpioUapi.FlagEdgeRising | GpioUapi.FlagEdgeFalling;
        }

        if (initialValue is { } value)
        {
            // The output-values attribute makes direction and level change together: a relay never sees the stale level.
            config.NumAttrs = 1;
            config.SetAttribute(0, new GpioV2LineConfigAttribute
            {
                Attr = new GpioV2LineAttribute { Id = GpioUapi.AttrIdOutputValues, Values = (ulong)(int)value },
                Mask = 1,
            });
        }

        if (Libc.Ioctl(lineFd, (nuint)GpioUapi.LineSetConfigIoctl, &config) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new GpioChipException($"Cannot set line {pinNumber} of {ChipPath} to {mode}: {Describe(errno)}. Bias (pull-up/down) needs a chip driver that supports it.", ChipPath, errno);
        }
    }

    private PinValue GetValue(int pinNumber, int lineFd)
    {
        var values = new GpioV2LineValues { Mask = 1 };
        if (Libc.Ioctl(lineFd, (nuint)GpioUapi.LineGetValuesIoctl, &values) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new GpioChipException($"Cannot read line {pinNumber} of {ChipPath}: {Describe(errno)}.", ChipPath, errno);
        }

        return (values.Bits & 1) != 0 ? PinValue.High : PinValue.Low;
    }

    private void SetValue(int pinNumber, int lineFd, PinValue value)
    {
        var values = new GpioV2LineValues { Mask = 1, Bits = (ulong)(int)value };
        if (Libc.Ioctl(lineFd, (nuint)GpioUapi.LineSetValuesIoctl, &values) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string advice = errno == Libc.EPERM ? " The line is an input; set it to output first." : "";
            throw new GpioChipException($"Cannot write line {pinNumber} of {ChipPath}: {Describe(errno)}.{advice}", ChipPath, errno);
        }
    }

    private LineEventWatcher StartWatcher(int pinNumber, OpenLine line)
    {
        var watcher = new LineEventWatcher(
            line.Fd,
            $"gpio-events {Path.GetFileName(ChipPath)}:{pinNumber}",
            (kind, _) => Dispatch(pinNumber, line, kind),
            failure =>
            {
                lock (_gate)
                {
                    line.WatchFailure = failure;
                }
            });
        watcher.Start();
        return watcher;
    }

    private static void CloseFd(int fd) => Libc.Close(fd);

    private static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    private string AdviceForOpen(int errno) => errno switch
    {
        Libc.ENOENT => $"No such device: check `ls /dev/gpiochip*` lists {Path.GetFileName(ChipPath)}, that the board's GPIO driver is loaded, and the chip number in the agent configuration.",
        Libc.EACCES or Libc.EPERM => "Permission denied: add the service user to the 'gpio' group (or a udev rule granting it read/write) and restart the service.",
        Libc.ENODEV => "The device node exists but no chip is behind it; check dmesg for the GPIO controller driver.",
        _ => "Check the device path and that the kernel exposes the GPIO character device.",
    };
}
