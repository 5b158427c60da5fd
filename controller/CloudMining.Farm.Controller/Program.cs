using System.CommandLine;
using CloudMining.Farm.Controller.Cli;

namespace CloudMining.Farm.Controller;

/// <summary>farm-controller entry point. Only the store exists as a command so far; the service loop and MQTT wiring are not built yet.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand(
            "farm-controller: fleet state, capacity and allocation of hashrate to contracts. " +
            "Built so far: the allocation core and the SQLite store (`migrate`). Not built yet: the service, MQTT, farmctl.")
        {
            MigrateCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
