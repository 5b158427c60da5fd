using System.CommandLine;
using CloudMining.Farm.Controller.Cli;

namespace CloudMining.Farm.Controller;

/// <summary>farm-controller entry point. `migrate` prepares the store; `run` ingests agent telemetry and writes history.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand(
            "farm-controller: fleet state, capacity and allocation of hashrate to contracts. " +
            "`migrate` prepares the SQLite store; `run` ingests agent telemetry, allocates, publishes desired pool state, allocation and capacity, measures delivery, fills the hourly ledger, writes InfluxDB history and serves the local API that farmctl uses (docs/controller-api.md).")
        {
            MigrateCommand.Create(),
            RunCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
