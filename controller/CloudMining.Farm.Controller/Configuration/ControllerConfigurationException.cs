namespace CloudMining.Farm.Controller.Configuration;

/// <summary>Thrown at start when a configuration key is wrong; <see cref="Setting"/> names the key.</summary>
public sealed class ControllerConfigurationException : Exception
{
    public ControllerConfigurationException(string setting, string message)
        : base($"{setting}: {message}")
    {
        Setting = setting;
    }

    public ControllerConfigurationException(string setting, string message, Exception innerException)
        : base($"{setting}: {message}", innerException)
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

    private ControllerConfigurationException(string setting, string fullMessage, bool _)
        : base(fullMessage)
    {
        Setting = setting;
    }

    /// <summary>
    /// One exception for every problem found: <see cref="Setting"/> is the first key; the message gives each key with
    /// what is wrong and what to set, one per line.
    /// </summary>
    public static ControllerConfigurationException FromErrors(IReadOnlyList<ConfigurationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("No configuration errors to report.", nameof(errors));
        }

        if (errors.Count == 1)
        {
            return new ControllerConfigurationException(errors[0].Key, errors[0].Message);
        }

        string message = string.Join(Environment.NewLine + "  ", errors.Select(e => e.ToString()))
            + Environment.NewLine + $"  ({errors.Count} problems: fix each key named above, then start again.)";
        return new ControllerConfigurationException(errors[0].Key, message, true);
    }

    /// <summary>
    /// The binder says "Failed to convert configuration value 'x' at 'Controller:Mqtt:Port' to type 'System.Int32'.";
    /// name the key first and add what to write instead.
    /// </summary>
    public static ControllerConfigurationException FromBinder(InvalidOperationException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(e.Message, "value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'");
        if (!m.Success)
        {
            return new ControllerConfigurationException("Controller", e.Message, e);
        }

        string type = m.Groups["type"].Value;
        string hint = type switch
        {
            "System.TimeSpan" => "write a duration as \"hh:mm:ss\", e.g. \"00:00:10\".",
            "System.Int32" or "System.Int64" => "write a whole number.",
            "System.Double" or "System.Decimal" => "write a number such as 10 or 0.5.",
            "System.Boolean" => "write true or false.",
            _ when type.Contains('.', StringComparison.Ordinal) && !type.StartsWith("System.", StringComparison.Ordinal) =>
                $"write one of the names of {type[(type.LastIndexOf('.') + 1)..]}.",
            _ => $"write a value of type {type}.",
        };
        return new ControllerConfigurationException(m.Groups["key"].Value, $"'{m.Groups["value"].Value}' cannot be read; {hint}", e);
    }

    /// <summary>The configuration key that is wrong, e.g. "Controller:Mqtt:Port".</summary>
    public string Setting { get; }
}
