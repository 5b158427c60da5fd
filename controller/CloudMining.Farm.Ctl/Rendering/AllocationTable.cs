using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl allocation show`: per contract target, allocated, delivered, status and miners; then the house pool.</summary>
public static class AllocationTable
{
    public static void Render(IAnsiConsole console, AllocationView allocation)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(allocation);
        console.MarkupLine($"Allocation version [bold]{allocation.Version}[/]: {allocation.Contracts.Count} contract(s), house pool {Markup.Escape(Figures.Rate(allocation.HouseHashrateHs))}");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("Contract", "Target TH/s", "Allocated TH/s", "Delivered TH/s", "Delivered", "Status", "Miners", "Racks");
        foreach (ContractView c in allocation.Contracts)
        {
            table.AddRow(
                Markup.Escape(c.Id),
                Figures.Th(c.TargetHs),
                Figures.Th(c.AllocatedHs),
                Figures.Th(c.DeliveredHs),
                Figures.Ratio(c.DeliveredHs, c.TargetHs),
                ContractTables.Status(c.Status),
                Markup.Escape(Miners(c.Shares)),
                Figures.Number(c.Shares.Select(s => s.Rack).Distinct().Count()));
        }

        table.AddRow(
            "[bold]house[/]",
            "-",
            Figures.Th(allocation.HouseHashrateHs),
            "-",
            "-",
            "unsold",
            Markup.Escape(Miners(allocation.House)),
            Figures.Number(allocation.House.Select(s => s.Rack).Distinct().Count()));
        console.Write(table);
    }

    /// <summary>"12 whole + 1 quota" — the count that matters at a glance; `contracts show` lists them.</summary>
    public static string Miners(IReadOnlyList<ShareView> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        int whole = shares.Count(s => s.Fraction >= 1 - 1e-9);
        int quota = shares.Count - whole;
        return quota == 0 ? $"{whole} whole" : $"{whole} whole + {quota} quota";
    }
}
