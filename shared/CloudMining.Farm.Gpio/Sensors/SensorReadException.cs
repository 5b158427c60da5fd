namespace CloudMining.Farm.Gpio.Sensors;

/// <summary>A sensor could not be read; says which file, why (<see cref="Kind"/>) and what to check.</summary>
public sealed class SensorReadException : Exception
{
    public SensorReadException()
    {
    }

    public SensorReadException(string message)
        : base(message)
    {
    }

    public SensorReadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SensorReadException(SensorErrorKind kind, string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Path = path;
    }

    public SensorErrorKind Kind { get; }

    /// <summary>The sysfs file or directory that was read.</summary>
    public string? Path { get; }
}
