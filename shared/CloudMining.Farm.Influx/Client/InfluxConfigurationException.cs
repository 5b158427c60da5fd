namespace CloudMining.Farm.Influx.Client;

/// <summary>The InfluxDB settings are wrong (bad URL, credentials, database); <see cref="Setting"/> names the configuration key to fix.</summary>
public sealed class InfluxConfigurationException : Exception
{
    public InfluxConfigurationException(string setting, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Setting = setting;
    }

    public InfluxConfigurationException()
        : this("Influx", "The InfluxDB settings are invalid.")
    {
    }

    public InfluxConfigurationException(string message)
        : this("Influx", message)
    {
    }

    public InfluxConfigurationException(string message, Exception innerException)
        : this("Influx", message, innerException)
    {
    }

    /// <summary>The configuration key at fault, e.g. <c>Influx:Url</c>.</summary>
    public string Setting { get; }
}
