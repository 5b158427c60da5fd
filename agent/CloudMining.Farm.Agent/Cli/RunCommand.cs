using System.CommandLine;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Shared.Configuration;
using CloudMining.Farm.Shared.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent run` command: the rack service itself, until SIGTERM or Ctrl-C.</summary>
internal static partial class RunCommand
{
    /// <summary>EX_CONFIG from sysexits.h: systemd shows it, and a wrapper script can tell "fix the file" from a crash.</summary>
    public const int ConfigErrorExitCode = 78;

    public static Command Create(RelayDriverFactory relayChips)
    {
        var config = ConfigOption();
        var command = new Command("run", "Poll the rack's miners every interval and keep status.json current, until stopped (the systemd service runs this).")
        {
            config,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(config) ?? AgentOptions.DefaultConfigPath, Console.Error, ct, new AgentHost.Overrides { RelayChips = relayChips }));
        return command;
    }

    public static Option<string> ConfigOption() => new("--config")
    {
        Description = $"The agent's JSON config file (default {AgentOptions.DefaultConfigPath}); FARM_AGENT_ environment variables override it.",
        DefaultValueFactory = _ => AgentOptions.DefaultConfigPath,
    };

    /// <summary>Runs the agent; returns 0 after a clean stop, 78 for a config error (message only, no stack trace), 1 for a crash.</summary>
    public static async Task<int> RunAsync(string configPath, TextWriter error, CancellationToken cancellationToken, AgentHost.Overrides? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        IHost host;
        try
        {
            host = AgentHost.Build(configPath, overrides);

            // Bind, validate and load the profiles before starting, so a config problem is reported here as the message
            // alone, not logged by the host as "Hosting failed to start" with a stack trace.
            AgentOptions options = host.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
            _ = host.Services.GetRequiredService<IMinerReader>();
            _ = host.Services.GetRequiredService<Power.IMinerPower>(); // opens the relay chip: a wrong GpioChip is a config error
            EnsureStateDirectory(options.StateDirectory);
            ILogger log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CloudMining.Farm.Agent.Configuration");
            foreach (UnknownConfigurationKey key in AgentConfiguration.UnknownKeys(host.Services.GetRequiredService<IConfiguration>()))
            {
                LogUnknownKey(log, key.Message);
            }
        }
        catch (Exception e) when (ConfigErrors(e) is { Count: > 0 } messages)
        {
            return Report(error, configPath, messages);
        }

        using (host)
        {
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (Exception e) when (ConfigErrors(e) is { Count: > 0 } messages)
            {
                return Report(error, configPath, messages);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }

            await host.WaitForShutdownAsync(cancellationToken);

            // A polling loop that died (a bug, not a miner fault) stops the host; systemd must see a failure to restart us.
            Task? loop = host.Services.GetRequiredService<PollingService>().ExecuteTask;
            if (loop is { IsFaulted: true })
            {
                await error.WriteLineAsync($"farm-agent: the polling loop stopped on an error: {loop.Exception?.InnerException?.Message}");
                return 1;
            }

            return 0;
        }
    }

    private static void EnsureStateDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentConfigurationException(
                $"{AgentOptions.SectionName}:StateDirectory: cannot create '{directory}' ({e.Message}); create it for the agent's user or point the key at a folder the agent may write.", e);
        }
    }

    private static int Report(TextWriter error, string configPath, IReadOnlyList<string> messages)
    {
        error.WriteLine($"farm-agent: cannot start with config '{Path.GetFullPath(configPath)}':");
        foreach (string m in messages)
        {
            error.WriteLine("  " + m);
        }

        return ConfigErrorExitCode;
    }

    /// <summary>The configuration problems inside whatever the host threw, or an empty list when it is something else.</summary>
    internal static List<string> ConfigErrors(Exception e)
    {
        var found = new List<string>();
        Collect(e, found);
        return found;
    }

    private static void Collect(Exception e, List<string> found)
    {
        switch (e)
        {
            case AgentConfigurationException c:
                found.Add(c.Message);
                break;
            case LoggingConfigurationException l:
                found.Add(l.Message);
                break;
            case OptionsValidationException v:
                found.AddRange(v.Failures);
                break;
            case AggregateException a:
                foreach (Exception inner in a.InnerExceptions)
                {
                    Collect(inner, found);
                }

                break;
            default:
                if (e.InnerException is not null)
                {
                    Collect(e.InnerException, found);
                }

                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogUnknownKey(ILogger logger, string warning);
}
