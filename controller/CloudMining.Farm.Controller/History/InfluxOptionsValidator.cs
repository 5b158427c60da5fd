using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Influx.Client;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.History;

/// <summary>Checks the "Influx" section at start when history is on (Influx:Enabled); off, its keys do not matter.</summary>
public sealed class InfluxOptionsValidator : IValidateOptions<InfluxDBClientOptions>
{
    public ValidateOptionsResult Validate(string? name, InfluxDBClientOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of enabled <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(InfluxDBClientOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (!options.Enabled)
        {
            return;
        }

        foreach (InfluxConfigurationProblem problem in InfluxDBClientOptionsValidator.Problems(options))
        {
            errors.Add(problem.Key, problem.Message);
        }
    }
}
