using System.Globalization;
using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>`farmctl contracts proof ID`: the contract, the plot, the hours (with the miners that served them) and the settlements.</summary>
public static class ProofTables
{
    public static void Render(IAnsiConsole console, ContractProofView proof)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(proof);
        console.MarkupLine(
            $"Contract [bold]{Markup.Escape(proof.ContractId)}[/] ({Markup.Escape(proof.Customer)}, {ContractTables.Status(proof.Status)}): target {Markup.Escape(Figures.Th(proof.TargetHs))} TH/s, " +
            $"delivered {Markup.Escape(Figures.Th(proof.DeliveredHs))} TH/s; pool {Markup.Escape(proof.PoolUrl)} worker {Markup.Escape(proof.Worker)}; pool-side check: {Markup.Escape(proof.PoolWatch ?? "none")}.");
        console.MarkupLine($"Miners now: {Markup.Escape(proof.Miners.Count == 0 ? "none" : string.Join(", ", proof.Miners.OrderBy(s => s.MinerId, StringComparer.Ordinal).Select(s => $"{s.MinerId} [serial {s.Serial}] {Figures.Share(s.Fraction)}")))}");
        double target = proof.Hours.Sum(h => h.TargetTerahashHours);
        double delivered = proof.Hours.Sum(h => h.DeliveredTerahashHours);
        console.MarkupLine(
            $"Hours {Markup.Escape(Figures.Time(proof.From))} to {Markup.Escape(Figures.Time(proof.To))}: target {F3(target)} TH·h, delivered {F3(delivered)} TH·h " +
            $"({Markup.Escape(Figures.Ratio(delivered, target))}), pool {(proof.Hours.Any(h => h.PoolTerahashHours is not null) ? F3(proof.Hours.Sum(h => h.PoolTerahashHours ?? 0)) : "-")} TH·h" +
            $"{(ProofHourView.PoolWatchedNote(proof.Hours) is { } watched ? $" ({Markup.Escape(watched)})" : string.Empty)}.");
        console.WriteLine();
        int width = Math.Max(24, console.Profile.Width - 12);
        foreach (string line in DeliveryPlot.Lines(proof.Hours, width))
        {
            console.MarkupLine(line);
        }

        console.WriteLine();
        if (proof.Hours.Count == 0)
        {
            console.MarkupLine("No ledger hours in that range yet (the controller closes one row per contract per hour).");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Hour (UTC)", "Target TH·h", "Delivered TH·h", "Pool TH·h", "Shortfall TH·h", "Energy kWh", "Maintenance", "Electricity", "Miners (serial, share·h, TH·h)");
            foreach (ProofHourView h in proof.Hours.OrderBy(h => h.Hour))
            {
                table.AddRow(
                    Markup.Escape(Figures.Time(h.Hour) + (h.Open ? " (now)" : string.Empty)),
                    F3(h.TargetTerahashHours),
                    F3(h.DeliveredTerahashHours),
                    Markup.Escape(PoolCell(h)),
                    F3(h.ShortfallTerahashHours),
                    h.EnergyKilowattHours.ToString("F2", CultureInfo.InvariantCulture),
                    h.MaintenanceFee.ToString("0.00##", CultureInfo.InvariantCulture),
                    h.ElectricityCost.ToString("0.00##", CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(" ", h.Miners.Select(m => $"{m.MinerId} [{m.Serial}] {m.ShareHours.ToString("0.##", CultureInfo.InvariantCulture)}·h {F3(m.DeliveredTerahashHours)}" + (m.SuspectHours > 0 ? $" suspect {m.SuspectHours.ToString("0.##", CultureInfo.InvariantCulture)}·h" : string.Empty)))));
            }

            console.Write(table);
        }

        if (proof.Settlements.Count > 0)
        {
            RenderSettlements(console, proof.Settlements);
        }
    }

    public static void RenderSettlements(IAnsiConsole console, IReadOnlyList<SettlementView> rows)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            console.MarkupLine("No closed settlement periods in that range (one closes per contract per period, 1 day by default).");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Contract", "Period (UTC)", "Target TH·h", "Delivered TH·h", "Pool TH·h", "Shortfall TH·h", "Tolerated TH·h", "Made good", "Extra hours", "Credit", "Energy kWh", "Maintenance", "Electricity");
        foreach (SettlementView s in rows)
        {
            table.AddRow(
                Markup.Escape(s.ContractId),
                Markup.Escape($"{Figures.Time(s.PeriodStart)} – {Figures.Time(s.PeriodEnd)}"),
                F3(s.TargetTerahashHours),
                F3(s.DeliveredTerahashHours),
                s.PoolTerahashHours is { } p ? F3(p) + (s.PoolWatchedNote is { } watched ? $" ({Markup.Escape(watched)})" : string.Empty) : "-",
                F3(s.ShortfallTerahashHours),
                F3(s.ToleratedTerahashHours),
                Markup.Escape($"{s.MakeGood} {F3(s.MakeGoodTerahashHours)}"),
                s.ExtraHours.ToString("F2", CultureInfo.InvariantCulture),
                s.Credit.ToString("0.00##", CultureInfo.InvariantCulture),
                s.EnergyKilowattHours.ToString("F2", CultureInfo.InvariantCulture),
                s.MaintenanceFee.ToString("0.00##", CultureInfo.InvariantCulture),
                s.ElectricityCost.ToString("0.00##", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private static string F3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>The pool's TH·h of an hour; a partly watched hour says how much was watched and what that makes for the whole hour.</summary>
    public static string PoolCell(ProofHourView h) => h.PoolTerahashHours is not { } p ? "-"
        : !h.PoolPartial ? F3(p)
        : string.Create(CultureInfo.InvariantCulture, $"{F3(p)} (partial: {(h.PoolObservedSeconds ?? 0) / 60:0} min watched, ≈{(h.PoolTerahashHoursFullHour is { } full ? F3(full) : "-")} for the hour)");
}
