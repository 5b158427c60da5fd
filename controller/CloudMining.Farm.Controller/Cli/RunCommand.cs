using System.CommandLine;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Cli;

/// <summary>The `farm-controller run` command: ingest agent telemetry from MQTT and (optionally) write history to InfluxDB.</summary>
internal static partial class RunCommand
{
    /// <summary>EX_CONFIG from sysexits.h, as farm-agent: the unit does not restart on it (RestartPreventExitStatus=78).</summary>
    public const int ConfigErrorExitCode = 78;

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON config file (Controller:*, Influx:*); env FARM_CONTROLLER_ overrides it." };
        var command = new Command("run", "Run the controller service until Ctrl+C or SIGTERM.") { config };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(config), ct));
        return command;
    }

    /// <summary>0 after a clean stop (SIGTERM, Ctrl+C), 78 for a configuration problem (the message only), 1 when a service failed.</summary>
    private static async Task<int> RunAsync(string? configFile, CancellationToken ct)
    {
        ControllerSettings settings;
        IReadOnlyList<UnknownConfigurationKey> unknown;
        try
        {
            IConfiguration configuration = ControllerHost.LoadConfiguration(configFile);
            unknown = ControllerHost.UnknownKeys(configuration);
            settings = ControllerHost.Bind(configuration);
        }
        catch (Exception ex) when (ex is ControllerConfigurationException or InfluxConfigurationException)
        {
            string where = configFile is null ? "the built-in defaults and FARM_CONTROLLER_ variables" : $"config '{Path.GetFullPath(configFile)}'";
            await Console.Error.WriteLineAsync($"farm-controller: cannot start with {where}:{Environment.NewLine}  {ex.Message}");
            return ConfigErrorExitCode;
        }

        IControllerStore store;
        try
        {
            store = await ControllerStores.OpenAsync(settings.Store, ct);
        }
        catch (InvalidOperationException e)
        {
            // The message names the store without its password (ControllerStores.Describe) and what to check.
            await Console.Error.WriteLineAsync($"farm-controller: {e.Message}");
            return 1;
        }

        await using IControllerStore ownedStore = store;

        // Not RunAsync: it disposes the host on the way out, and the services' outcome is read from the host below.
        using IHost host = ControllerHost.Build(settings, store);
        ILogger log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CloudMining.Farm.Controller.Configuration");
        foreach (UnknownConfigurationKey key in unknown)
        {
            LogUnknownKey(log, key.Message);
        }

        LocalApiServer? api;
        try
        {
            api = await LocalApiHost.StartAsync(host.Services, settings.Api, ct);
        }
        catch (LocalApiBindException e)
        {
            await Console.Error.WriteLineAsync($"farm-controller: {e.Message}");
            return 1;
        }
        catch (ControllerConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"farm-controller: cannot start the local API:{Environment.NewLine}  {e.Message}");
            return ConfigErrorExitCode;
        }

        await using (api)
        {
            try
            {
                await host.StartAsync(ct);
                await host.WaitForShutdownAsync(ct);
            }
            catch (Exception e) when (ValidationFailures(e) is { } failures)
            {
                // ValidateOnStart: one feature's options fail as one exception, several as an AggregateException of them.
                await Console.Error.WriteLineAsync($"farm-controller: cannot start:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", failures)}");
                return ConfigErrorExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopped while starting: the host stops below like after a signal.
                await host.StopAsync(CancellationToken.None);
            }
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
    }

    /// <summary>Every failure of the options validation that stopped the host from starting, or null when <paramref name="e"/> is something else.</summary>
    internal static IReadOnlyList<string>? ValidationFailures(Exception e) => e switch
    {
        OptionsValidationException one => [.. one.Failures],
        AggregateException many when many.InnerExceptions.Count > 0 && many.InnerExceptions.All(x => x is OptionsValidationException) =>
            [.. many.InnerExceptions.Cast<OptionsValidationException>().SelectMany(x => x.Failures)],
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogUnknownKey(ILogger logger, string warning);
}
