using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl miner show|drain|undrain`: one miner's readings, maintenance flag and shares.</summary>
public static class MinerDetail
{
    public static void Render(IAnsiConsole console, MinerView miner)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(miner);
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("Miner", Markup.Escape(miner.MinerId));
        grid.AddRow("Rack", Markup.Escape(miner.Rack));
        grid.AddRow("Firmware / model", Markup.Escape($"{miner.Profile ?? "-"} / {miner.Model ?? "-"}"));
        grid.AddRow("State", Markup.Escape(miner.State ?? "-") + (miner.Drained ? " [yellow](drained for maintenance)[/]" : string.Empty));
        if (miner.Probation)
        {
            grid.AddRow("Probation", "[yellow]new miner id: not sold until it has reported healthily for a while[/]");
        }

        if (miner.Conflict is { } conflict)
        {
            grid.AddRow("Conflict", "[yellow]" + Markup.Escape(conflict) + "[/]");
        }
        grid.AddRow("Hashrate", miner.HashrateHs is { } h ? Markup.Escape(Figures.Rate(h)) : "-");
        grid.AddRow("Power", miner.PowerW is { } w ? Figures.Number(w) + " W" : "-");
        grid.AddRow("Hottest chip", miner.MaxChipTempC is { } t ? Figures.Number(t) + " °C" : "-");
        grid.AddRow("Telemetry at", Figures.Time(miner.TelemetryAt));
        grid.AddRow("Readings", miner.SuspectReason is { } why ? "[red]suspect, not sold[/]: " + Markup.Escape(why) : "plausible");
        if (miner.NotEnforceable is { } notEnforceable)
        {
            grid.AddRow("Sold", "[red]no[/]: " + Markup.Escape(notEnforceable));
            grid.AddRow("Fix", Markup.Escape(miner.NotEnforceableFix ?? "-"));
        }
        else
        {
            grid.AddRow("Enforceable", miner.SupportsPoolQuota ? "pools and quota shares" : "pools (whole miner, no quota shares)");
        }

        if (miner.Operations is { Count: > 0 } operations)
        {
            string available = string.Join(", ", operations.Where(o => o.Available).Select(o => o.Channel is { } c ? $"{o.Operation} ({c})" : o.Operation));
            string missing = string.Join(", ", operations.Where(o => !o.Available).Select(o => $"{o.Operation} ({o.Reason})"));
            grid.AddRow("Operations", Markup.Escape(available.Length == 0 ? "none available" : available) + (missing.Length == 0 ? string.Empty : "; [grey]not available: " + Markup.Escape(missing) + "[/]"));
        }

        if (miner.PoolRejection is { } rejection)
        {
            grid.AddRow("Pools", "[yellow]rejected by the rack's agent, shares not enforced:[/] " + Markup.Escape(rejection));
        }
        console.Write(grid);
        if (miner.Shares.Count == 0)
        {
            console.MarkupLine(miner.Drained ? "No shares: drained miners mine for nobody." : "No shares assigned.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Mines for", "Share");
        foreach (ShareView s in miner.Shares)
        {
            table.AddRow(Markup.Escape(s.Assignee), Figures.Share(s.Fraction));
        }

        console.Write(table);
    }
}
