using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Logging;
using Microsoft.Extensions.Configuration;
using Serilog.Core;

namespace CloudMining.Farm.Agent.Logging;

/// <summary>The agent's logging defaults for <see cref="FarmLogging"/>: Agent:Log's level, console (journald-style under systemd) and a daily rolling file in Agent:Log:Directory.</summary>
public static class AgentLogging
{
    /// <param name="options">Level, log folder and retention.</param>
    /// <param name="console">False keeps log lines off stdout (tests, benchmarks).</param>
    /// <param name="journal">True under systemd (JOURNAL_STREAM set): no colours, no timestamps, syslog priority prefixes.</param>
    public static FarmLogDefaults Defaults(LogOptions options, bool console = true, bool? journal = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool toJournal = journal ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));
        if (!string.IsNullOrWhiteSpace(options.Directory))
        {
            try
            {
                Directory.CreateDirectory(options.Directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new AgentConfigurationException(
                    $"{AgentOptions.SectionName}:Log:Directory: cannot create '{options.Directory}' ({e.Message}); create it for the agent's user, " +
                    "point the key at a folder the agent may write, or set it to \"\" to log to the console (journald) only.", e);
            }
        }

        return new FarmLogDefaults(options.Level, console, toJournal, options.Directory, "farm-agent-", options.RetainedFiles);
    }

    /// <summary>A standalone agent logger (tests, tools); the service itself logs through <see cref="FarmLogging.AddFarmSerilog"/>.</summary>
    public static Logger CreateLogger(LogOptions options, bool console = true, bool? journal = null, IConfiguration? configuration = null) =>
        FarmLogging.CreateLogger(Defaults(options, console, journal), configuration);
}
