using System.Globalization;
using System.Text;

namespace CloudMining.Farm.Controller.Pages;

/// <summary>
/// The proof page's chart as server-rendered SVG: one bar per hour for the TH·h we measured delivered, a line for the
/// target, and a dot per hour for the pool's own figure where it was read. No script; the numbers are also in the table.
/// </summary>
public static class DeliveryChart
{
    private const int Width = 900;
    private const int Height = 260;
    private const int Left = 56;
    private const int Bottom = 28;
    private const int Top = 14;

    public static string Svg(IReadOnlyList<ProofHourView> hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg id=\"delivery-chart\" role=\"img\" aria-label=\"Delivered vs target TH·h per hour\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        if (hours.Count == 0)
        {
            sb.Append("<text x=\"20\" y=\"40\" font-size=\"14\">No hours recorded yet.</text></svg>");
            return sb.ToString();
        }

        double max = hours.Max(h => Math.Max(h.TargetTerahashHours, Math.Max(h.DeliveredTerahashHours, h.PoolTerahashHours ?? 0)));
        max = max > 0 && double.IsFinite(max) ? max * 1.1 : 1;
        double plotW = Width - Left - 10;
        double plotH = Height - Top - Bottom;
        // At most 40 px an hour, so a contract a few hours old does not show one bar as wide as the chart.
        double slot = Math.Min(40, plotW / hours.Count);
        double Y(double v) => Top + plotH - (v / max * plotH);

        // Axis with three gridlines labelled in TH·h.
        for (int i = 0; i <= 3; i++)
        {
            double v = max * i / 3;
            double y = Y(v);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - 10}\" y1=\"{y:F1}\" y2=\"{y:F1}\" stroke=\"#e3e6ea\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{y + 4:F1}\" font-size=\"10\" text-anchor=\"end\">{v:F1}</text>");
        }

        var target = new StringBuilder();
        for (int i = 0; i < hours.Count; i++)
        {
            ProofHourView h = hours[i];
            double x = Left + i * slot;
            double barW = Math.Max(1, slot * 0.7);
            double y = Y(h.DeliveredTerahashHours);
            string fill = h.ShortfallTerahashHours > h.TargetTerahashHours * 0.05 ? "#d9822b" : "#2f7ed8";
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"delivered\" x=\"{x + (slot - barW) / 2:F1}\" y=\"{y:F1}\" width=\"{barW:F1}\" height=\"{Top + plotH - y:F1}\" fill=\"{fill}\"{(h.Open ? " fill-opacity=\"0.5\"" : string.Empty)}>");
            sb.Append(CultureInfo.InvariantCulture, $"<title>{Html.Time(h.Hour)}: delivered {Html.Thh(h.DeliveredTerahashHours)} of {Html.Thh(h.TargetTerahashHours)} TH·h{(h.Open ? " (hour in progress)" : string.Empty)}</title></rect>");
            target.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "M" : "L")}{x:F1},{Y(h.TargetTerahashHours):F1}L{x + slot:F1},{Y(h.TargetTerahashHours):F1}");
            if (h.PoolTerahashHours is { } pool)
            {
                // A partly watched hour: the pool's figure for the watched part, drawn hollow (not comparable as it stands).
                if (h.PoolPartial)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"pool partial\" cx=\"{x + slot / 2:F1}\" cy=\"{Y(pool):F1}\" r=\"3\" fill=\"none\" stroke=\"#1a8f4c\"><title>pool: {Html.Thh(pool)} TH·h over {Html.Num((h.PoolObservedSeconds ?? 0) / 60, "0")} min watched (partial hour)</title></circle>");
                }
                else
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"pool\" cx=\"{x + slot / 2:F1}\" cy=\"{Y(pool):F1}\" r=\"3\" fill=\"#1a8f4c\"><title>pool: {Html.Thh(pool)} TH·h</title></circle>");
                }
            }

            if (hours.Count <= 48 ? i % 6 == 0 : i % 24 == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{Height - 10}\" font-size=\"10\">{h.Hour.UtcDateTime:MM-dd HH}h</text>");
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"<path class=\"target\" d=\"{target}\" fill=\"none\" stroke=\"#b3261e\" stroke-width=\"2\"/>");
        sb.Append("<text x=\"64\" y=\"12\" font-size=\"10\" fill=\"#2f7ed8\">■ delivered (ours)</text><text x=\"180\" y=\"12\" font-size=\"10\" fill=\"#b3261e\">— target</text><text x=\"240\" y=\"12\" font-size=\"10\" fill=\"#1a8f4c\">● pool</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>A horizontal delivered/target bar for the dashboard's contract list.</summary>
    public static string Bar(string contractId, double? deliveredHs, double targetHs)
    {
        const int W = 220;
        double ratio = deliveredHs is { } d && targetHs > 0 ? Math.Clamp(d / targetHs, 0, 1.5) : 0;
        double filled = Math.Min(W, ratio / 1.5 * W);
        double mark = W / 1.5;
        string fill = ratio >= 0.95 ? "#2f9e44" : ratio >= 0.8 ? "#d9822b" : "#c92a2a";
        return string.Create(CultureInfo.InvariantCulture, $"<svg class=\"bar\" data-contract=\"{Html.E(contractId)}\" width=\"{W}\" height=\"14\" viewBox=\"0 0 {W} 14\" xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"{filled:F1}\" height=\"14\" fill=\"{fill}\"/><line x1=\"{mark:F1}\" x2=\"{mark:F1}\" y1=\"0\" y2=\"14\" stroke=\"#1d2733\" stroke-width=\"2\"/></svg>");
    }
}
