using CloudMining.Farm.Ctl.Cli;
using Spectre.Console;

namespace CloudMining.Farm.Tests.Controller.Ctl;

/// <summary>Runs farmctl's command tree in process with captured output, as the operator's shell would run it.</summary>
public static class FarmctlRun
{
    public static async Task<(int Code, string Out, string Error)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        IAnsiConsole tables = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        tables.Profile.Width = 250;
        int code = await FarmctlCli.InvokeAsync(args, new CtlConsole(tables, output, error), environmentApi: null, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
