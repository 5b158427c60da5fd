namespace CloudMining.Farm.Shared.Logging;

/// <summary>The <c>Serilog</c> configuration section cannot be applied; <see cref="Key"/> names the key to fix.</summary>
public sealed class LoggingConfigurationException : Exception
{
    public LoggingConfigurationException(string key, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Key = key;
    }

    public LoggingConfigurationException()
        : this(FarmLogging.SectionName, "The Serilog section is invalid.")
    {
    }

    public LoggingConfigurationException(string message)
        : this(FarmLogging.SectionName, message)
    {
    }

    public LoggingConfigurationException(string message, Exception innerException)
        : this(FarmLogging.SectionName, message, innerException)
    {
    }

    /// <summary>The configuration key at fault, e.g. <c>Serilog:MinimumLevel:Override:Microsoft</c>.</summary>
    public string Key { get; }
}
