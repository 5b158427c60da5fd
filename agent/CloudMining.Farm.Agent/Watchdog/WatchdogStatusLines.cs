using Spectre.Console;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>The watchdog's part of `farm-agent status`: quarantined miners and miners on the ladder, read from watchdog.json.</summary>
public static class WatchdogStatusLines
{
    public static void Render(IAnsiConsole console, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(console);
        WatchdogDocument doc;
        try
        {
            doc = WatchdogStateFile.Read(stateDirectory);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            console.MarkupLine($"[yellow]Watchdog state unreadable:[/] {Markup.Escape(e.Message)}");
            return;
        }

        foreach (QuarantineEntry q in doc.Quarantined)
        {
            console.MarkupLine(
                $"[red]QUARANTINED[/] {Markup.Escape(q.MinerId)} since {q.Since:u} after {q.PowerCycles} power-cycle(s): {Markup.Escape(q.Reason)}. " +
                $"Release with `farm-agent watchdog release {Markup.Escape(q.MinerId)}`.");
        }

        foreach (WatchdogMinerState m in doc.Miners.Where(m => m.Step is not (WatchdogStep.Quarantined or WatchdogStep.Healthy or WatchdogStep.Watching)))
        {
            string label = m.Step == WatchdogStep.NeedsHands ? "[red]NEEDS HANDS[/]" : $"[yellow]watchdog {m.Step}[/]";
            console.MarkupLine($"{label} {Markup.Escape(m.MinerId)} since {m.Since:u}: {Markup.Escape(m.Reason ?? string.Empty)}");
        }
    }
}
