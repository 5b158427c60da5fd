using System.CommandLine;
using CloudMining.Farm.Controller.Cli;

namespace CloudMining.Farm.Controller;

/// <summary>farm-controller entry point. `migrate` prepares the store; `run` ingests agent telemetry and writes history.</summary>
internal static class Program
{
    /// <summary>How long a stop (SIGTERM, Ctrl+C) may take before the process exits anyway.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(25);

    public static int Main(string[] args)
    {
        var root = new RootCommand(
            "farm-controller: fleet state, capacity and allocation of hashrate to contracts. " +
            "`migrate` prepares the SQLite store; `run` ingests agent telemetry, allocates, publishes desired pool state, allocation and capacity, measures delivery, fills the hourly ledger, writes InfluxDB history and serves the local API that farmctl uses (docs/controller-api.md).")
        {
            MigrateCommand.Create(),
            RunCommand.Create(),
        };
        // SIGTERM cancels the run command's token; the host then stops its services (flushes, goodbyes) and the command
        // returns 0. System.CommandLine would exit 143 after its default 2 s; allow what a clean stop takes, below
        // systemd's TimeoutStopSec=30 after which it sends SIGKILL anyway.
        return root.Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = StopTimeout });
    }
}
