using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>
/// Checks the top of the "Controller" section (the site and the broker) at start, collecting every problem, each named by
/// its key. The features' own keys have their own validators (store, history, Influx, local API, engine, readings).
/// </summary>
public sealed class ControllerOptionsValidator : IValidateOptions<ControllerOptions>
{
    public ValidateOptionsResult Validate(string? name, ControllerOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of the site and broker keys to <paramref name="errors"/>, in the order of the keys.</summary>
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

        errors.Require(!string.IsNullOrWhiteSpace(options.Mqtt.Host), "Controller:Mqtt:Host", "is empty; set the MQTT broker's host name or address.");
        errors.Require(options.Mqtt.Port is >= 1 and <= 65535, "Controller:Mqtt:Port", $"{options.Mqtt.Port} is not a TCP port (1-65535).");
        errors.Require(!string.IsNullOrWhiteSpace(options.Mqtt.ClientId), "Controller:Mqtt:ClientId", "is empty; set a client id unique on the broker, e.g. \"controller\".");
        errors.Require(
            CloudMining.Farm.Mqtt.Client.Options.MqttProtocolVersions.TryParse(options.Mqtt.ProtocolVersion, out _),
            "Controller:Mqtt:ProtocolVersion",
            $"'{options.Mqtt.ProtocolVersion}' is not a protocol version the controller speaks; write {CloudMining.Farm.Mqtt.Client.Options.MqttProtocolVersions.Accepted} (3.1.1 only for a broker without MQTT 5).");
        errors.Require(options.Mqtt.Password is null || !string.IsNullOrEmpty(options.Mqtt.Username), "Controller:Mqtt:Username", "is empty but a password is set; set both or neither.");
        errors.Require(options.Engine is not null, "Controller:Engine", "is empty; remove the key to use the engine's defaults.");
        options.PoolSide.Check(errors);
        options.Settlement.Check(errors);
    }
}
