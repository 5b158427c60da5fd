using Spectre.Console;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>Where farmctl writes: the table console, raw output (JSON, CSV) and errors; tests pass captured writers.</summary>
/// <param name="Tables">Spectre console for tables and messages.</param>
/// <param name="Out">Plain output for --json and CSV, untouched by markup.</param>
/// <param name="Error">Error messages.</param>
public sealed record CtlConsole(IAnsiConsole Tables, TextWriter Out, TextWriter Error)
{
    /// <summary>
    /// The process's console. Piped or redirected, tables get plain text (no colour codes in files or `grep`) and a
    /// wide page so they are not cut at 80 columns.
    /// </summary>
    public static CtlConsole System()
    {
        IAnsiConsole console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(Console.Out),
            });
            console.Profile.Width = 200;
        }

        return new CtlConsole(console, Console.Out, Console.Error);
    }
}
