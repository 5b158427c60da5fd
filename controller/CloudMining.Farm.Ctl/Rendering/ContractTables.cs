using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Shared.Wire;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl contracts list|show|add|end`: contracts with target, allocated and delivered hashrate.</summary>
public static class ContractTables
{
    public static void RenderList(IAnsiConsole console, IReadOnlyList<ContractView> contracts)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(contracts);
        if (contracts.Count == 0)
        {
            console.MarkupLine("No contracts yet. Sell one with `farmctl contracts add` (see `farmctl capacity` for what is free).");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("Contract", "Customer", "Status", "Target TH/s", "Allocated TH/s", "Delivered TH/s", "Delivered", "Term", "Pool / worker");
        foreach (ContractView c in contracts)
        {
            table.AddRow(
                Markup.Escape(c.Id),
                Markup.Escape(c.Customer),
                Status(c.Status),
                Figures.Th(c.TargetHs),
                Figures.Th(c.AllocatedHs),
                Figures.Th(c.DeliveredHs),
                Figures.Ratio(c.DeliveredHs, c.TargetHs),
                Markup.Escape(Term(c)),
                Markup.Escape($"{c.PoolUrl} / {c.Worker}"));
        }

        console.Write(table);
    }

    public static void RenderDetail(IAnsiConsole console, ContractView c)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(c);
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("Contract", $"[bold]{Markup.Escape(c.Id)}[/] for {Markup.Escape(c.Customer)}");
        grid.AddRow("Status", Status(c.Status));
        grid.AddRow("Target", Markup.Escape(Figures.Rate(c.TargetHs)));
        grid.AddRow("Allocated", Markup.Escape($"{Figures.Rate(c.AllocatedHs)} ({Figures.Ratio(c.AllocatedHs, c.TargetHs)} of target)"));
        grid.AddRow(
            "Delivered",
            c.DeliveredHs is { } d
                ? Markup.Escape($"{Figures.Rate(d)} ({Figures.Ratio(d, c.TargetHs)} of target, measured from accepted difficulty at the pool)")
                : "not measured yet (needs a few telemetry cycles of accepted shares)");
        grid.AddRow("Pool", Markup.Escape($"{c.PoolUrl}  worker {c.Worker}"));
        grid.AddRow("Term", Markup.Escape(Term(c)));
        grid.AddRow("Curtailment", Markup.Escape(Curtailment(c)));
        grid.AddRow("Fees", Markup.Escape($"maintenance {c.MaintenancePerTerahashDay.ToString(System.Globalization.CultureInfo.InvariantCulture)} per TH/s per day; electricity {(c.ElectricityAtCost ? "at cost" : "included")}"));
        console.Write(grid);
        if (c.Shares.Count == 0)
        {
            console.MarkupLine("No miners assigned.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Miner", "Rack", "Share");
        foreach (ShareView s in c.Shares.OrderBy(s => s.Rack, StringComparer.Ordinal).ThenBy(s => s.MinerId, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(s.MinerId), Markup.Escape(s.Rack), Figures.Share(s.Fraction) + (s.Enforced ? string.Empty : " [yellow](not enforced: its agent rejected the pools)[/]"));
        }

        console.Write(table);
        if (c.Shares.Count(s => !s.Enforced) is > 0 and int notEnforced)
        {
            console.MarkupLine($"[yellow]{notEnforced} share(s) not enforced[/]: the rack's agent rejected those miners' desired pools (`farmctl fleet` shows why).");
        }

        int racks = c.Shares.Select(s => s.Rack).Distinct().Count();
        console.MarkupLine($"{c.Shares.Count(s => s.Fraction >= 1 - 1e-9)} whole miner(s) and {c.Shares.Count(s => s.Fraction < 1 - 1e-9)} quota share(s) over {racks} rack(s).");
    }

    /// <summary>"protected (never curtailed)" or "curtailable, up to 4 h per month".</summary>
    public static string Curtailment(ContractView c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.Curtailable && c.CurtailAllowanceHours is { } h
            ? $"curtailable, up to {h.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} h per {c.CurtailPeriod ?? "month"}"
            : "protected (never curtailed)";
    }

    public static string Term(ContractView c) =>
        c.End is { } end
            ? $"{Figures.Time(c.Start)} to {Figures.Time(end)}"
            : $"open-ended from {Figures.Time(c.Start)}, ends after {c.NegativeMarginDays} day(s) of negative margin";

    /// <summary>The status as the API spells it, coloured: green active, grey ended, yellow pending or a status this farmctl does not know.</summary>
    public static string Status(ContractStatus status) => status switch
    {
        ContractStatus.Active => $"[green]{status.ToWire()}[/]",
        ContractStatus.Ended => $"[grey]{status.ToWire()}[/]",
        _ => $"[yellow]{status.ToWire()}[/]",
    };
}
