namespace CloudMining.Farm.Controller.Configuration;

/// <summary>Thrown at start when a configuration key is wrong; <see cref="Setting"/> names the key.</summary>
public sealed class ControllerConfigurationException : Exception
{
    public ControllerConfigurationException(string setting, string message)
        : base($"{setting}: {message}")
    {
        Setting = setting;
    }

    public ControllerConfigurationException()
        : this("Controller", "invalid configuration")
    {
    }

    public ControllerConfigurationException(string message)
        : this("Controller", message)
    {
    }

    public ControllerConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = "Controller";
    }

    /// <summary>The configuration key that is wrong, e.g. "Controller:Mqtt:Port".</summary>
    public string Setting { get; }
}
