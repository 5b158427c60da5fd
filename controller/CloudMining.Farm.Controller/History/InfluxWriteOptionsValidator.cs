using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.History;

/// <summary>Checks the "Influx:Write" section at start when history is on (Influx:Enabled); off, its keys do not matter.</summary>
public sealed class InfluxWriteOptionsValidator(IOptions<InfluxDBClientOptions> influx) : IValidateOptions<WriteOptions>
{
    private readonly IOptions<InfluxDBClientOptions> _influx = influx ?? throw new ArgumentNullException(nameof(influx));

    public ValidateOptionsResult Validate(string? name, WriteOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, _influx.Value.Enabled, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of <paramref name="options"/> to <paramref name="errors"/> when history is <paramref name="enabled"/>.</summary>
    public static void Check(WriteOptions options, bool enabled, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (!enabled)
        {
            return;
        }

        foreach (InfluxConfigurationProblem problem in WriteOptionsValidator.Problems(options))
        {
            errors.Add(problem.Key, problem.Message);
        }
    }
}
