using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>Collects every configuration problem found at start, so the operator fixes them all in one go.</summary>
public sealed class ConfigurationErrors
{
    private readonly List<ConfigurationError> _errors = [];

    public IReadOnlyList<ConfigurationError> All => _errors;

    public int Count => _errors.Count;

    public void Add(string key, string message) => _errors.Add(new ConfigurationError(key, message));

    /// <summary>Adds the problem unless <paramref name="ok"/>.</summary>
    public void Require(bool ok, string key, string message)
    {
        if (!ok)
        {
            Add(key, message);
        }
    }

    /// <summary>The outcome for the options system: success, or every problem as "key: message".</summary>
    public ValidateOptionsResult ToResult() =>
        _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors.Select(e => e.ToString()));

    /// <summary>Throws one <see cref="ControllerConfigurationException"/> naming the first key and listing every problem.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw ControllerConfigurationException.FromErrors(_errors);
        }
    }
}
