using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Simulator.Cli;
using CloudMining.Farm.Simulator.Control;
using CloudMining.Farm.Simulator.Native;
using CloudMining.Farm.Simulator.Power;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Simulator;

/// <summary>farm-sim entry point: simulated ASICs on loopback with a control API, until SIGTERM or Ctrl-C.</summary>
internal static partial class Program
{
    /// <summary>The first argument that runs the real agent instead of a farm: `farm-sim agent run --config …`.</summary>
    public const string AgentVerb = "agent";

    public static Task<int> Main(string[] args)
    {
        // `farm-sim agent …` is farm-agent's own command line (run, status, check, relay test, …) with the simulated relay
        // chips ("sim", "sim-http://HOST:PORT") registered: the product farm-agent carries none of them.
        if (args.Length > 0 && string.Equals(args[0], AgentVerb, StringComparison.Ordinal))
        {
            return Task.FromResult(AgentCommandLine.Invoke(args[1..], SimulatedRelayChips.Factory));
        }

        var options = new SimOptions();
        RootCommand root = options.CreateCommand();
        root.SetAction((parse, ct) => RunAsync(options.Bind(parse), ct));
        return root.Parse(args).InvokeAsync();
    }

    private static async Task<int> RunAsync(SimSettings settings, CancellationToken cancellationToken)
    {
        using ILoggerFactory logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        ILogger log = logs.CreateLogger("farm-sim");
        if (settings.Problem is not null)
        {
            Console.Error.WriteLine("farm-sim: " + settings.Problem);
            return 2;
        }

        (ulong before, ulong after, string? problem) = OpenFilesLimit.RaiseToHardLimit();
        if (problem is not null)
        {
            LogOpenFilesNotRaised(log, problem);
        }
        else if (after != before)
        {
            LogOpenFilesRaised(log, before, after);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.Cancel();
        });

        SimulatedFarm farm;
        try
        {
            farm = await SimulatedFarm.StartAsync(settings.Farm, FarmClocks.System, stop.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine("farm-sim: " + ex.Message);
            return 1;
        }

        await using (farm)
        {
            ControlServer? control = null;
            PoolApi.PoolApiServer? poolApi = null;
            try
            {
                if (settings.Control is not null)
                {
                    control = await ControlServer.StartAsync(farm, settings.Control, cancellationToken: stop.Token);
                    LogControlListening(log, control.Url);
                }

                if (settings.PoolApi is not null)
                {
                    poolApi = await PoolApi.PoolApiServer.StartAsync(farm, settings.PoolApi, settings.PoolApiAccounts, cancellationToken: stop.Token);
                    LogPoolApiListening(log, poolApi.Url, settings.PoolApiAccounts.Count);
                }

                if (settings.ManifestPath is not null)
                {
                    var manifest = new FarmManifest(control?.Url.ToString(), farm.Miners.Select(MinerInfo.From).ToList());
                    await File.WriteAllTextAsync(settings.ManifestPath, JsonSerializer.Serialize(manifest, ControlJsonContext.Default.FarmManifest), stop.Token);
                    LogManifestWritten(log, farm.Miners.Count, settings.ManifestPath);
                }
                else
                {
                    foreach (SimulatedMiner m in farm.Miners)
                    {
                        Console.WriteLine($"{m.Id}\t{m.ListenEndPoint}\t{m.Firmware}\t{m.Model.Name}");
                    }
                }

                LogRunning(log, farm.Miners.Count);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }

                LogStopping(log, farm.Miners.Count);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"farm-sim: {ex.Message}");
                return 1;
            }
            finally
            {
                if (control is not null)
                {
                    await control.DisposeAsync();
                }

                if (poolApi is not null)
                {
                    await poolApi.DisposeAsync();
                }
            }
        }

        return 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not raise the open-files limit ({Problem}); each miner needs one descriptor, so large farms may fail to start")]
    private static partial void LogOpenFilesNotRaised(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raised the open-files limit from {Before} to {After}")]
    private static partial void LogOpenFilesRaised(ILogger logger, ulong before, ulong after);

    [LoggerMessage(Level = LogLevel.Information, Message = "Control API listening on {ControlUrl}")]
    private static partial void LogControlListening(ILogger logger, Uri controlUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool APIs (Braiins, F2Pool v2, hashrate-only) listening on {PoolApiUrl} for {Accounts} read-only key(s)")]
    private static partial void LogPoolApiListening(ILogger logger, Uri poolApiUrl, int accounts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote the manifest of {Miners} miners to {ManifestPath}")]
    private static partial void LogManifestWritten(ILogger logger, int miners, string manifestPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Miners} simulated miners running; stop with Ctrl-C or SIGTERM")]
    private static partial void LogRunning(ILogger logger, int miners);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping {Miners} simulated miners")]
    private static partial void LogStopping(ILogger logger, int miners);
}
