using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>Loads and validates agent.json for a technician's command that acts on hardware, or says why not.</summary>
internal static class CheckedConfig
{
    /// <summary>
    /// The bound, valid options; null after writing to <paramref name="error"/> what is wrong, prefixed by
    /// <paramref name="command"/> and saying <paramref name="nothingDone"/> (the caller exits with
    /// <see cref="RunCommand.ConfigErrorExitCode"/>). <paramref name="relayChips"/>: the relay chips this build can open (null: farm-agent's).
    /// </summary>
    public static async Task<AgentOptions?> LoadAsync(string configPath, string command, string nothingDone, TextWriter error, RelayDriverFactory? relayChips = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        AgentOptions options;
        try
        {
            options = AgentConfiguration.Bind(AgentConfiguration.Load(configPath), configPath);
        }
        catch (AgentConfigurationException e)
        {
            await error.WriteLineAsync($"{command}: {e.Message}");
            return null;
        }

        List<string> problems = AgentOptionsValidator.Check(options, relayChips);
        if (problems.Count > 0)
        {
            await error.WriteLineAsync($"{command}: config '{Path.GetFullPath(configPath)}' has problems; fix them first ({nothingDone}):");
            foreach (string p in problems)
            {
                await error.WriteLineAsync("  " + p);
            }

            return null;
        }

        return options;
    }
}
