namespace CloudMining.Farm.Gpio;

/// <summary>A GPIO chip or line could not be opened, configured, read or written; the message names the chip and what to check.</summary>
/// <remarks>An <see cref="IOException"/>, like System.Device.Gpio's own driver errors, so callers catch both the same way.</remarks>
public sealed class GpioChipException : IOException
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

    public GpioChipException(string message, string? devicePath, Exception? innerException = null)
        : base(message, innerException)
    {
        DevicePath = devicePath;
    }

    /// <summary>The chip device (or simulator address) involved, when there is one.</summary>
    public string? DevicePath { get; }
}
