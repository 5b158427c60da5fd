using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>Checks controller and Influx options before anything starts, naming the key that is wrong.</summary>
public static class ControllerOptionsValidator
{
    /// <summary>Throws <see cref="ControllerConfigurationException"/> or <see cref="InfluxConfigurationException"/> for the first problem.</summary>
    public static void Validate(ControllerOptions options, InfluxDBClientOptions influx)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(influx);
        if (string.IsNullOrWhiteSpace(options.Site))
        {
            throw new ControllerConfigurationException("Controller:Site", "is missing; set it to the site id the agents publish under (their Agent:Site), e.g. \"Site\": \"s1\" in the Controller section.");
        }

        if (FarmTopics.IdProblem(options.Site) is { } siteProblem)
        {
            throw new ControllerConfigurationException("Controller:Site", $"\"{options.Site}\" is not a usable site id: {siteProblem}. Set it to the site the agents publish under, e.g. \"s1\".");
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            throw new ControllerConfigurationException("Controller:Database", "is empty; set the path of the controller's SQLite file.");
        }

        if (string.IsNullOrWhiteSpace(options.Mqtt.Host))
        {
            throw new ControllerConfigurationException("Controller:Mqtt:Host", "is empty; set the MQTT broker's host name or address.");
        }

        if (options.Mqtt.Port is < 1 or > 65535)
        {
            throw new ControllerConfigurationException("Controller:Mqtt:Port", $"{options.Mqtt.Port} is not a TCP port (1-65535).");
        }

        if (string.IsNullOrWhiteSpace(options.Mqtt.ClientId))
        {
            throw new ControllerConfigurationException("Controller:Mqtt:ClientId", "is empty; set a client id unique on the broker, e.g. \"controller\".");
        }

        if (options.Mqtt.Password is not null && string.IsNullOrEmpty(options.Mqtt.Username))
        {
            throw new ControllerConfigurationException("Controller:Mqtt:Username", "is empty but a password is set; set both or neither.");
        }

        if (!(options.RackHistoryIntervalS >= 1))
        {
            throw new ControllerConfigurationException("Controller:RackHistoryIntervalS", $"{options.RackHistoryIntervalS} is too short; use at least 1 second.");
        }

        Engine.EngineOptionsValidator.Validate(options.Engine);

        // History is off by default so the embedded config runs without InfluxDB; only then do Influx keys matter.
        if (influx.Enabled)
        {
            InfluxDBClientOptionsValidator.Validate(influx);
        }
    }
}
