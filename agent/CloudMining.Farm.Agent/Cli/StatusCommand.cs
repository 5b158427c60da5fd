using System.CommandLine;
using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Status;
using Spectre.Console;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent status` command: the rack at a glance, from the running agent's status.json.</summary>
internal static class StatusCommand
{
    public const int NotRunningExitCode = 1;
    public const int UnreadableExitCode = 2;

    public static Command Create()
    {
        var config = new Option<string?>("--config")
        {
            Description = $"The agent's config file, to find its state folder (default {AgentOptions.DefaultConfigPath} when it exists).",
        };
        var stateDir = new Option<string?>("--state-dir") { Description = "Read status.json from this folder instead of the config's Agent:StateDirectory." };
        var json = new Option<bool>("--json") { Description = "Print status.json as it is, for scripts." };
        var command = new Command("status", "Show every miner of the rack: hashrate, temperatures, fans, pool, state and last error.")
        {
            config, stateDir, json,
        };
        command.SetAction((parse, ct) =>
        {
            IAnsiConsole console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // Piped output would be cut at 80 columns; the table is wider than that.
                console.Profile.Width = 200;
            }

            return ExecuteAsync(parse.GetValue(config), parse.GetValue(stateDir), parse.GetValue(json), console, Console.Out, Console.Error, TimeProvider.System, ct);
        });
        return command;
    }

    /// <summary>0 when the agent is running, 1 when it is not (no file or stale), 2 for an unreadable file, 78 for a bad config.</summary>
    public static async Task<int> ExecuteAsync(
        string? configPath,
        string? stateDirectory,
        bool json,
        IAnsiConsole console,
        TextWriter output,
        TextWriter error,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(time);
        string dir;
        try
        {
            dir = ResolveStateDirectory(configPath, stateDirectory);
        }
        catch (AgentConfigurationException e)
        {
            await error.WriteLineAsync($"farm-agent status: {e.Message}");
            return RunCommand.ConfigErrorExitCode;
        }

        AgentStatusDocument? doc;
        try
        {
            doc = await StatusFile.ReadAsync(dir, cancellationToken);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            await error.WriteLineAsync($"farm-agent status: cannot read {StatusFile.PathIn(dir)}: {e.Message}. Is this the agent's state folder? Check Agent:StateDirectory or --state-dir.");
            return UnreadableExitCode;
        }

        if (doc is null)
        {
            await error.WriteLineAsync(
                $"farm-agent status: the agent is not running: there is no {StatusFile.PathIn(dir)} (the agent writes it after its first poll cycle). " +
                "Start it with `systemctl start farm-agent` or `farm-agent run --config PATH`, or point --state-dir at its state folder.");
            return NotRunningExitCode;
        }

        bool stale = StatusFreshness.IsStale(doc, time.GetUtcNow());
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(doc, StatusJsonContext.Default.AgentStatusDocument));
            if (stale)
            {
                await error.WriteLineAsync($"farm-agent status: the agent is not running: {StatusFile.PathIn(dir)} was last written at {doc.WrittenAt:u}.");
            }
        }
        else
        {
            StatusTable.Render(console, doc, time.GetUtcNow());
            Watchdog.WatchdogStatusLines.Render(console, dir);
        }

        return stale ? NotRunningExitCode : 0;
    }

    private static string ResolveStateDirectory(string? configPath, string? stateDirectory)
    {
        if (!string.IsNullOrWhiteSpace(stateDirectory))
        {
            return Path.GetFullPath(stateDirectory);
        }

        string? path = configPath ?? (File.Exists(AgentOptions.DefaultConfigPath) ? AgentOptions.DefaultConfigPath : null);
        if (path is null)
        {
            return new AgentOptions().StateDirectory;
        }

        return AgentConfiguration.Bind(AgentConfiguration.Load(path), path).StateDirectory;
    }
}
