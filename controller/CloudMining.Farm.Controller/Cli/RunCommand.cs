using System.CommandLine;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Leadership;
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

        // On PostgreSQL two controllers may share the store: only the one holding the leader lock runs ingest, the engine
        // and publishing; the other serves the API (answering "standby, leader at …") and waits.
        await using ControllerLeadership leadership = settings.Store.IsPostgreSql
            ? ControllerLeadership.OnPostgreSql(
                settings.Store.Store.ConnectionString!,
                settings.Store.Leadership.InstanceName(),
                string.IsNullOrWhiteSpace(settings.Store.Leadership.AdvertiseApiUrl) ? (settings.Api.Enabled ? settings.Api.Url : null) : settings.Store.Leadership.AdvertiseApiUrl,
                settings.Store.Leadership.Retry(),
                logger: host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CloudMining.Farm.Controller.Leadership"))
            : ControllerLeadership.Sole(settings.Store.Leadership.InstanceName());
        leadership.Start();

        LocalApiServer? api;
        try
        {
            api = await LocalApiHost.StartAsync(host.Services, settings.Api, ct, settings.Store.IsPostgreSql ? leadership : null);
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
                if (!leadership.Acquired.IsCompleted)
                {
                    LogWaiting(log, leadership.Instance);
                    await WaitForLeadAsync(leadership, ct);
                }

                if (!leadership.IsLeader)
                {
                    // Stopped (SIGTERM, Ctrl+C) while standby: nothing was started.
                    return 0;
                }

                using CancellationTokenRegistration onLost = leadership.Lost.Register(() => host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication());
                await host.StartAsync(ct);
                await host.WaitForShutdownAsync(ct);
                if (leadership.Lost.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync($"farm-controller: {leadership.Instance} lost the lead (its lock connection to PostgreSQL ended); exiting so the service restarts as standby.");
                    return 1;
                }
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

    /// <summary>Waits until this instance leads or the process is asked to stop (the host's own lifetime is not running yet).</summary>
    private static async Task WaitForLeadAsync(ControllerLeadership leadership, CancellationToken ct)
    {
        try
        {
            await leadership.Acquired.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Asked to stop while standby.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {Instance} is standby: waiting for the PostgreSQL leader lock before starting ingest, the engine and publishing")]
    private static partial void LogWaiting(ILogger logger, string instance);

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
