using System.CommandLine;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Controller.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CloudMining.Farm.Controller.Cli;

/// <summary>The `farm-controller run` command: ingest agent telemetry from MQTT and (optionally) write history to InfluxDB.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON config file (Controller:*, Influx:*); env FARM_CONTROLLER_ overrides it." };
        var command = new Command("run", "Run the controller service until Ctrl+C.") { config };
        command.SetAction(async (parse, ct) =>
        {
            ControllerSettings settings;
            try
            {
                settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(parse.GetValue(config)));
            }
            catch (Exception ex) when (ex is ControllerConfigurationException or InfluxConfigurationException)
            {
                await Console.Error.WriteLineAsync($"farm-controller: invalid configuration: {ex.Message}");
                return 2;
            }

            await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(settings.Controller.Database, ct);
            using IHost host = ControllerHost.Build(settings, store);
            LocalApiServer? api;
            try
            {
                api = await LocalApiHost.StartAsync(host.Services, settings.Controller.Api, ct);
            }
            catch (LocalApiBindException e)
            {
                await Console.Error.WriteLineAsync($"farm-controller: {e.Message}");
                return 1;
            }

            await using (api)
            {
                await host.RunAsync(ct);
            }

            // A failed service stops the host; say so in the exit code so systemd restarts it.
            if (host.Services.GetRequiredService<IngestService>().ExecuteTask is { IsFaulted: true } failed)
            {
                await Console.Error.WriteLineAsync($"farm-controller: stopped because ingest failed: {failed.Exception?.InnerException?.Message}");
                return 1;
            }

            if (host.Services.GetRequiredService<EngineService>().ExecuteTask is { IsFaulted: true } engineFailed)
            {
                await Console.Error.WriteLineAsync($"farm-controller: stopped because the engine failed: {engineFailed.Exception?.InnerException?.Message}");
                return 1;
            }

            return 0;
        });
        return command;
    }
}
