using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl rebalance`: which miners move, from where to where, and why.</summary>
public static class RebalanceTable
{
    public static void Render(IAnsiConsole console, RebalanceView plan)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(plan);
        string head = plan.Applied
            ? $"Applied as allocation version [bold]{plan.Version}[/]"
            : "Dry run (nothing changed; `farmctl rebalance --apply` applies it)";
        console.MarkupLine(
            $"{head}: {plan.Moves.Count} move(s), {plan.PoolSwitches} pool switch(es), {plan.QuotaAdjustments} quota adjustment(s), " +
            $"shortfall {Markup.Escape(Figures.Rate(plan.ShortfallHs))}.");
        if (plan.Moves.Count == 0)
        {
            console.MarkupLine("Nothing to move: every contract is covered by its current miners.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Miner", "Rack", "From", "To", "Pool switch", "Why");
        foreach (MoveView m in plan.Moves)
        {
            table.AddRow(
                Markup.Escape(m.MinerId),
                Markup.Escape(m.Rack),
                Markup.Escape(m.From),
                Markup.Escape(m.To),
                m.PoolSwitch ? "yes" : "quota only",
                Markup.Escape($"{m.Kind}: {m.Reason}"));
        }

        console.Write(table);
    }
}
