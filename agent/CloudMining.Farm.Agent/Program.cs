using System.CommandLine;
using CloudMining.Farm.Agent.Cli;

namespace CloudMining.Farm.Agent;

/// <summary>farm-agent entry point: the rack service (`run`) and the technician's commands.</summary>
internal static class Program
{
    /// <summary>How long a stop (SIGTERM, Ctrl+C) may take before the process exits anyway.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(25);

    public static int Main(string[] args)
    {
        var root = new RootCommand("farm-agent: polls the rack's ASIC miners, keeps them alive and publishes their telemetry.")
        {
            RunCommand.Create(),
            StatusCommand.Create(),
            DecodeCommand.Create(),
            CheckCommand.Create(),
            ScanCommand.Create(),
            RelayCommand.Create(),
            MinerCommand.Create(),
            WatchdogCommand.Create(),
        };
        // SIGTERM cancels the run command's token; the host then stops its services (flushes, goodbyes) and the command
        // returns 0. System.CommandLine would exit 143 after its default 2 s; allow what a clean stop takes, below
        // systemd's TimeoutStopSec=30 after which it sends SIGKILL anyway.
        return root.Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = StopTimeout });
    }
}
