using System.CommandLine;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent run` command.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "not built yet");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("farm-agent run: not built yet.");
            return 2;
        });
        return command;
    }
}
