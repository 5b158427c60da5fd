using System.CommandLine;
using CloudMining.Farm.Agent.Power;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>
/// farm-agent's command line (`run`, `status`, `check`, `relay test`, …) over a given set of relay chips: farm-agent
/// passes <see cref="RelayDriverFactory.Product"/>; `farm-sim agent` passes the same plus the simulated chips, so the
/// simulator runs the real agent without the product carrying simulated drivers.
/// </summary>
public static class AgentCommandLine
{
    /// <summary>How long a stop (SIGTERM, Ctrl+C) may take before the process exits anyway.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(25);

    public static RootCommand Create(RelayDriverFactory relayChips) =>
        new("farm-agent: polls the rack's ASIC miners, keeps them alive and publishes their telemetry.")
        {
            RunCommand.Create(relayChips),
            StatusCommand.Create(),
            DecodeCommand.Create(),
            CheckCommand.Create(relayChips),
            ScanCommand.Create(),
            RelayCommand.Create(relayChips),
            MinerCommand.Create(relayChips),
            WatchdogCommand.Create(),
        };

    /// <summary>Parses and runs <paramref name="args"/>; the process exit code.</summary>
    public static int Invoke(string[] args, RelayDriverFactory relayChips)
    {
        ArgumentNullException.ThrowIfNull(relayChips);
        // SIGTERM cancels the run command's token; the host then stops its services (flushes, goodbyes) and the command
        // returns 0. System.CommandLine would exit 143 after its default 2 s; allow what a clean stop takes, below
        // systemd's TimeoutStopSec=30 after which it sends SIGKILL anyway.
        return Create(relayChips).Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = StopTimeout });
    }
}
