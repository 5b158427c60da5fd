namespace CloudMining.Farm.Gpio;

/// <summary>A GPIO chip or line could not be opened, configured, read or written; the message names the device path and what to check.</summary>
public sealed class GpioChipException : Exception
{
    public GpioChipException()
    {
    }

    public GpioChipException(string message)
        : base(message)
    {
    }

    public GpioChipException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GpioChipException(string message, string? devicePath, int? errno = null, Exception? innerException = null)
        : base(message, innerException)
    {
        DevicePath = devicePath;
        Errno = errno;
    }

    /// <summary>The chip device or sysfs path involved, when there is one.</summary>
    public string? DevicePath { get; }

    /// <summary>The libc errno reported by the kernel, when the failure came from a system call.</summary>
    public int? Errno { get; }
}
