using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl fleet`: one row per rack with its agent, miners, hashrate and whether it applied the latest pool state.</summary>
public static class FleetTable
{
    public static void Render(IAnsiConsole console, FleetView fleet)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(fleet);
        int hashing = fleet.Racks.Sum(r => r.MinersHashing);
        int total = fleet.Racks.Sum(r => r.MinersTotal);
        console.MarkupLine(
            $"Site [bold]{Markup.Escape(fleet.Site)}[/]: {fleet.Racks.Count} rack(s), {hashing} of {total} miners hashing, " +
            $"{Markup.Escape(Figures.Rate(fleet.Racks.Sum(r => r.HashrateHs)))}");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("Rack", "Agent", "Hashing / total", "TH/s", "Desired gen", "Applied gen", "Lagging", "Last seen", "Suspect");
        foreach (RackView r in fleet.Racks)
        {
            table.AddRow(
                Markup.Escape(r.Rack),
                r.AgentOnline ? "[green]online[/]" : "[red]offline[/]",
                $"{r.MinersHashing} / {r.MinersTotal}",
                Figures.Th(r.HashrateHs),
                Figures.Number(r.DesiredGeneration),
                Figures.Number(r.AppliedGeneration),
                r.Lagging ? "[yellow]yes[/]" : "no",
                Figures.Time(r.LastSeen),
                r.MinersSuspect > 0 ? $"[red]{r.MinersSuspect}[/]" : "0");
        }

        console.Write(table);
        MinerView[] suspect = [.. fleet.Miners.Where(m => m.Suspect)];
        if (suspect.Length > 0)
        {
            console.MarkupLine($"[red]{suspect.Length} miner(s) suspect[/] (readings outside the physical envelope, not sold):");
            foreach (MinerView m in suspect)
            {
                console.MarkupLine($"  [red]suspect[/] {Markup.Escape(m.MinerId)} ({Markup.Escape(m.Rack)}): {Markup.Escape(m.SuspectReason ?? string.Empty)}");
            }
        }

        foreach (RackView r in fleet.Racks.Where(r => r.RejectedMiners is { Count: > 0 }))
        {
            // The rack took the generation; these miners kept their old pools and are not enforced.
            foreach (RejectedMinerView m in r.RejectedMiners!)
            {
                console.MarkupLine($"[yellow]{Markup.Escape(r.Rack)}: miner {Markup.Escape(m.MinerId)} rejected by the agent:[/] {Markup.Escape(m.Reason)}");
            }
        }

        int drained = fleet.Miners.Count(m => m.Drained);
        if (drained > 0)
        {
            console.MarkupLine($"{drained} miner(s) drained for maintenance: {Markup.Escape(string.Join(", ", fleet.Miners.Where(m => m.Drained).Select(m => m.MinerId)))}");
        }

        string[] probation = [.. fleet.Miners.Where(m => m.Probation).Select(m => m.MinerId)];
        if (probation.Length > 0)
        {
            console.MarkupLine($"{probation.Length} new miner(s) on probation, not sold until they have reported healthily for a while: {Markup.Escape(string.Join(", ", probation))}");
        }

        foreach (ConflictView c in fleet.Conflicts)
        {
            console.MarkupLine(
                $"[yellow]Conflict[/]: miner {Markup.Escape(c.MinerId)} belongs to rack {Markup.Escape(c.OwnerRack)}, but rack {Markup.Escape(c.ClaimingRack)} reports it too " +
                $"(since {Markup.Escape(Figures.Time(c.Since))}); nothing moves. Check both racks' miner lists for a duplicate or mistyped id.");
        }
    }
}
