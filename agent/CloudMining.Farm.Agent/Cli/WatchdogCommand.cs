using System.CommandLine;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Watchdog;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>`farm-agent watchdog release MINER`: lets the watchdog act on a quarantined miner again (after a technician looked at it).</summary>
internal static class WatchdogCommand
{
    public static Command Create()
    {
        var config = RunCommand.ConfigOption();
        var miner = new Argument<string>("MINER") { Description = "The miner id (Agent:Miners:n:Id) to release from quarantine." };
        var release = new Command("release", "Release a quarantined miner: the running agent starts its watchdog ladder again at the next poll cycle.")
        {
            config, miner,
        };
        release.SetAction(parse => Release(parse.GetValue(config) ?? AgentOptions.DefaultConfigPath, parse.GetValue(miner) ?? string.Empty, Console.Out, Console.Error));
        return new Command("watchdog", "The watchdog ladder's quarantine.") { release };
    }

    /// <summary>0 when released, 1 when the miner was not quarantined, 78 for a bad config or state file.</summary>
    public static int Release(string configPath, string minerId, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            AgentOptions options = AgentConfiguration.Bind(AgentConfiguration.Load(configPath), configPath);
            if (WatchdogStateFile.Release(options.StateDirectory, minerId))
            {
                output.WriteLine($"{minerId} is released from quarantine; the running agent picks this up at its next poll cycle.");
                return 0;
            }

            IReadOnlyList<QuarantineEntry> now = WatchdogStateFile.Read(options.StateDirectory).Quarantined;
            error.WriteLine($"farm-agent watchdog release: {minerId} is not quarantined (quarantined: {(now.Count == 0 ? "none" : string.Join(", ", now.Select(q => q.MinerId)))}).");
            return 1;
        }
        catch (Exception e) when (e is AgentConfigurationException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"farm-agent watchdog release: {e.Message}");
            return RunCommand.ConfigErrorExitCode;
        }
    }
}
