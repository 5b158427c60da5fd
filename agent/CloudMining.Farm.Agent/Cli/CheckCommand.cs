using System.CommandLine;
using System.Text.Json;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;
using Spectre.Console;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent check` command: the rack's readiness, one line per check with ✓/✗ and a fix; exit 0 only if all pass.</summary>
internal static class CheckCommand
{
    public const int FailedExitCode = 1;

    public static Command Create(RelayDriverFactory relayChips)
    {
        Option<string> config = RunCommand.ConfigOption();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON for scripts." };
        var command = new Command(
            "check",
            "Before going live: the config validates, every miner answers with its firmware and lists the operations the agent can do to it (read-only probes of its write channels and logins), every sensor reads, the relay map is consistent and the GPIO chip opens. Changes nothing.")
        {
            config, json,
        };
        command.SetAction((parse, ct) =>
        {
            IAnsiConsole console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                console.Profile.Width = 200;
            }

            return ExecuteAsync(parse.GetValue(config) ?? AgentOptions.DefaultConfigPath, parse.GetValue(json), console, Console.Out, ct, relayChips);
        });
        return command;
    }

    public static async Task<int> ExecuteAsync(string configPath, bool json, IAnsiConsole console, TextWriter output, CancellationToken cancellationToken, RelayDriverFactory? relayChips = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(output);
        CheckReport report = await RackChecker.RunAsync(configPath, cancellationToken, relayChips);
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, CheckJsonContext.Default.CheckReport));
        }
        else
        {
            Render(console, report);
        }

        return report.Passed ? 0 : FailedExitCode;
    }

    private static void Render(IAnsiConsole console, CheckReport report)
    {
        console.MarkupLine($"[bold]farm-agent check[/] {Markup.Escape(report.Config)}");
        foreach (CheckResult r in report.Checks)
        {
            string mark = !r.Passed ? "[red]✗[/]" : r.Warning ? "[yellow]![/]" : "[green]✓[/]";
            console.MarkupLine($"{mark} {Markup.Escape(r.Area),-6} [bold]{Markup.Escape(r.Subject)}[/]: {Markup.Escape(r.Detail)}");
            if ((!r.Passed || r.Warning) && r.Hint is not null)
            {
                console.MarkupLine($"           [yellow]fix:[/] {Markup.Escape(r.Hint)}");
            }
        }

        int failed = report.Checks.Count(c => !c.Passed);
        int warnings = report.Checks.Count(c => c.Warning);
        if (warnings > 0)
        {
            console.MarkupLine($"[yellow]{warnings} warning(s)[/]: the agent runs, but read each one and its fix.");
        }

        console.MarkupLine(failed == 0
            ? $"[green bold]All {report.Checks.Count} checks passed[/]: the rack is ready for `systemctl start farm-agent`."
            : $"[red bold]{failed} of {report.Checks.Count} checks failed.[/] Fix them and run `farm-agent check` again.");
    }
}
