namespace CloudMining.Farm.Shared.Firmware;

/// <summary>A firmware profile file that cannot be used: names the file, the key and the fix.</summary>
public sealed class FirmwareProfileException : Exception
{
    public FirmwareProfileException(string file, string key, string problem)
        : base($"{file}: {key}: {problem}")
    {
        File = file;
        Key = key;
    }

    public FirmwareProfileException()
        : this("(unknown file)", "(unknown key)", "invalid profile")
    {
    }

    public FirmwareProfileException(string message)
        : base(message)
    {
        File = string.Empty;
        Key = string.Empty;
    }

    public FirmwareProfileException(string message, Exception inner)
        : base(message, inner)
    {
        File = string.Empty;
        Key = string.Empty;
    }

    public string File { get; } = string.Empty;

    public string Key { get; } = string.Empty;
}
