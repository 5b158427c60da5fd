using System.Globalization;
using System.Text;
using CloudMining.Farm.ControlApi;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>
/// A terminal plot of delivered against target TH·h per hour: one column per hour (oldest left), a bar of '█' for
/// delivered (ours), '─' where the target lies above the bar and '●' for the pool's figure. At most
/// <paramref name="maxColumns"/> hours, the latest ones. Returns Spectre markup lines.
/// </summary>
public static class DeliveryPlot
{
    public const int Rows = 10;

    public static IReadOnlyList<string> Lines(IReadOnlyList<ProofHourView> hours, int maxColumns)
    {
        ArgumentNullException.ThrowIfNull(hours);
        List<ProofHourView> shown = [.. hours.OrderBy(h => h.Hour).TakeLast(Math.Max(1, maxColumns))];
        if (shown.Count == 0)
        {
            return ["(no hours yet)"];
        }

        double max = shown.Max(h => Math.Max(h.TargetTerahashHours, Math.Max(h.DeliveredTerahashHours, h.PoolTerahashHours ?? 0)));
        max = max > 0 && double.IsFinite(max) ? max : 1;
        int Level(double v) => (int)Math.Round(Math.Clamp(v / max, 0, 1) * Rows);
        var lines = new List<string>();
        for (int row = Rows; row >= 1; row--)
        {
            var line = new StringBuilder();
            string axis = row == Rows ? max.ToString("F1", CultureInfo.InvariantCulture) : row == 1 ? "0" : string.Empty;
            line.Append(Markup.Escape(axis.PadLeft(8))).Append(" │");
            foreach (ProofHourView h in shown)
            {
                int delivered = Level(h.DeliveredTerahashHours);
                int target = Level(h.TargetTerahashHours);
                int? pool = h.PoolTerahashHours is { } p ? Level(p) : null;
                if (pool == row)
                {
                    // ○: a partly watched hour, the pool's figure for the watched part only.
                    line.Append(h.PoolPartial ? "[green]○[/]" : "[green]●[/]");
                }
                else if (delivered >= row)
                {
                    line.Append(h.ShortfallTerahashHours > h.TargetTerahashHours * 0.05 ? "[yellow]█[/]" : "[blue]█[/]");
                }
                else if (target == row)
                {
                    line.Append("[red]─[/]");
                }
                else
                {
                    line.Append(' ');
                }
            }

            lines.Add(line.ToString());
        }

        lines.Add(new string(' ', 8) + " └" + new string('─', shown.Count));
        lines.Add(Markup.Escape($"{new string(' ', 10)}{Figures.Time(shown[0].Hour)} … {Figures.Time(shown[^1].Hour)} (one column per hour; TH·h)"));
        lines.Add("          [blue]█[/] delivered (ours)  [yellow]█[/] short by more than 5 %  [red]─[/] target  [green]●[/] pool");
        return lines;
    }
}
