using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>
/// Checks the "Controller" section before anything starts — site, store, broker, history, the local API and the
/// engine (<see cref="Engine.EngineOptionsValidator"/>) — collecting every problem, each named by its key.
/// </summary>
public sealed class ControllerOptionsValidator : IValidateOptions<ControllerOptions>
{
    public ValidateOptionsResult Validate(string? name, ControllerOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.All.Select(e => e.ToString()));
    }

    /// <summary>
    /// Throws one <see cref="ControllerConfigurationException"/> listing every problem of the Controller section (the
    /// first key as its setting); then, when history is on, <see cref="InfluxConfigurationException"/> for the Influx section.
    /// </summary>
    public static void Validate(ControllerOptions options, InfluxDBClientOptions influx)
    {
        ArgumentNullException.ThrowIfNull(influx);
        var errors = new ConfigurationErrors();
        Check(options, errors);
        errors.ThrowIfAny();

        // History is off by default so the embedded config runs without InfluxDB; only then do Influx keys matter.
        if (influx.Enabled)
        {
            InfluxDBClientOptionsValidator.Validate(influx);
        }
    }

    /// <summary>Adds every problem of the Controller section to <paramref name="errors"/>, in the order of the keys.</summary>
    public static void Check(ControllerOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(options.Site))
        {
            errors.Add("Controller:Site", "is missing; set it to the site id the agents publish under (their Agent:Site), e.g. \"Site\": \"s1\" in the Controller section.");
        }
        else if (FarmTopics.IdProblem(options.Site) is { } siteProblem)
        {
            errors.Add("Controller:Site", $"\"{options.Site}\" is not a usable site id: {siteProblem}. Set it to the site the agents publish under, e.g. \"s1\".");
        }

        errors.Require(!string.IsNullOrWhiteSpace(options.Database), "Controller:Database", "is empty; set the path of the controller's SQLite file.");
        errors.Require(!string.IsNullOrWhiteSpace(options.Mqtt.Host), "Controller:Mqtt:Host", "is empty; set the MQTT broker's host name or address.");
        errors.Require(options.Mqtt.Port is >= 1 and <= 65535, "Controller:Mqtt:Port", $"{options.Mqtt.Port} is not a TCP port (1-65535).");
        errors.Require(!string.IsNullOrWhiteSpace(options.Mqtt.ClientId), "Controller:Mqtt:ClientId", "is empty; set a client id unique on the broker, e.g. \"controller\".");
        errors.Require(options.Mqtt.Password is null || !string.IsNullOrEmpty(options.Mqtt.Username), "Controller:Mqtt:Username", "is empty but a password is set; set both or neither.");
        errors.Require(options.RackHistoryIntervalS >= 1, "Controller:RackHistoryIntervalS", $"{options.RackHistoryIntervalS} is too short; use at least 1 second.");
        if (options.Api.Enabled)
        {
            try
            {
                Api.LocalApiOptionsValidator.Validate(options.Api);
            }
            catch (ControllerConfigurationException e)
            {
                errors.Add(e.Setting, e.Message[(e.Setting.Length + 2)..]);
            }
        }

        Engine.EngineOptionsValidator.Check(options.Engine, errors);
        options.PoolSide.Check(errors);
        options.Settlement.Check(errors);
    }
}
