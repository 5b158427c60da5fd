using System.CommandLine;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent status` command.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "not built yet");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("farm-agent status: not built yet.");
            return 2;
        });
        return command;
    }
}
