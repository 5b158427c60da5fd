using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl capacity`: measured healthy hashrate, the reserve, and units total / sold / free.</summary>
public static class CapacityPanel
{
    public static void Render(IAnsiConsole console, CapacityView c)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(c);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Capacity", "Value");
        table.AddRow("Measured healthy", Markup.Escape(Figures.Rate(c.MeasuredHealthyHs)) + $" ({c.MinersHealthy} of {c.MinersTotal} miners)");
        table.AddRow("Reserve for failures", Markup.Escape(Figures.Rate(c.ReserveHs)));
        table.AddRow("Unit size", Markup.Escape(Figures.Rate(c.UnitSizeHs)));
        table.AddRow("Units total", Figures.Number(c.UnitsTotal));
        table.AddRow("Units sold", Figures.Number(c.UnitsSold));
        table.AddRow("Units free", $"[bold]{Figures.Number(c.UnitsFree)}[/] ({Markup.Escape(Figures.Rate(c.FreeHs))})");
        console.Write(table);
        if (c.MinersSuspect > 0)
        {
            console.MarkupLine($"[yellow]{c.MinersSuspect} suspect miner(s) left out: their readings are outside the physical envelope (`farmctl fleet` names them).[/]");
        }

        if (c.UnitsSold > c.UnitsTotal)
        {
            console.MarkupLine($"[yellow]{c.UnitsSold - c.UnitsTotal} unit(s) sold beyond what the fleet measures now: repair miners or expect shortfall.[/]");
        }
    }
}
