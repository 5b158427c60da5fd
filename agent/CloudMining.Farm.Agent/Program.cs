using System.CommandLine;
using CloudMining.Farm.Agent.Cli;

namespace CloudMining.Farm.Agent;

/// <summary>farm-agent entry point: the rack service (`run`) and the technician's commands.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("farm-agent: polls the rack's ASIC miners, keeps them alive and publishes their telemetry.")
        {
            RunCommand.Create(),
            StatusCommand.Create(),
            DecodeCommand.Create(),
            CheckCommand.Create(),
            ScanCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
