using CloudMining.Farm.Ctl.Cli;

namespace CloudMining.Farm.Ctl;

/// <summary>farmctl entry point: the operator CLI over farm-controller's local API.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => FarmctlCli.RunAsync(args);
}
