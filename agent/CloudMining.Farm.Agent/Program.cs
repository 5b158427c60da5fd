using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Power;

namespace CloudMining.Farm.Agent;

/// <summary>farm-agent entry point: the rack service (`run`) and the technician's commands, with the product's relay chips only.</summary>
internal static class Program
{
    public static int Main(string[] args) => AgentCommandLine.Invoke(args, RelayDriverFactory.Product);
}
