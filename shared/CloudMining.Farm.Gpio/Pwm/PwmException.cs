namespace CloudMining.Farm.Gpio.Pwm;

/// <summary>A PWM channel could not be exported, configured or switched; the message names the sysfs path and what to check.</summary>
public sealed class PwmException : Exception
{
    public PwmException()
    {
    }

    public PwmException(string message)
        : base(message)
    {
    }

    public PwmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PwmException(string message, string path, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    public string? Path { get; }
}
