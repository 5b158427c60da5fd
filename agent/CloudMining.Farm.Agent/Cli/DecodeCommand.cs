using System.CommandLine;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent decode` command.</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var command = new Command("decode", "not built yet");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("farm-agent decode: not built yet.");
            return 2;
        });
        return command;
    }
}
