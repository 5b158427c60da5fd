namespace CloudMining.Farm.Gpio.Sysfs;

/// <summary>A sysfs attribute could not be read or written; carries the path so callers can explain what to check.</summary>
internal sealed class SysfsAccessException : Exception
{
    public SysfsAccessException(string path, Exception innerException)
        : base($"{path}: {innerException.Message}", innerException)
    {
        Path = path;
    }

    public SysfsAccessException()
    {
        Path = "";
    }

    public SysfsAccessException(string message)
        : base(message)
    {
        Path = "";
    }

    public SysfsAccessException(string message, Exception innerException, string path)
        : base(message, innerException)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>True when the file is absent rather than unreadable.</summary>
    public bool IsMissing => InnerException is FileNotFoundException or DirectoryNotFoundException;

    public bool IsDenied => InnerException is UnauthorizedAccessException;
}
