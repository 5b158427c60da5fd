using System.Globalization;
using System.Net;
using System.Text;

namespace CloudMining.Farm.Controller.Pages;

/// <summary>The few HTML pieces both pages share: escaping, number formats (invariant, as farmctl prints them), the page frame.</summary>
public static class Html
{
    /// <summary>The pages' own style: no script, no external resource (the Content-Security-Policy allows none).</summary>
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d2733;background:#f7f8fa}
        h1{font-size:1.4rem;margin:0 0 .3rem} h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
        table{border-collapse:collapse;background:#fff;font-size:.85rem} th,td{border:1px solid #d5dae1;padding:.25rem .5rem;text-align:right}
        th:first-child,td:first-child{text-align:left} .muted{color:#66707c;font-size:.85rem}
        .facts{display:flex;gap:1.5rem;flex-wrap:wrap;margin:.6rem 0} .facts div{background:#fff;border:1px solid #d5dae1;padding:.4rem .7rem}
        .facts b{display:block;font-size:1.15rem} .grid td{text-align:center;min-width:3.2rem;font-size:.75rem;padding:.2rem}
        .lagging{color:#a12a1d} svg{background:#fff;border:1px solid #d5dae1}
        """;

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>TH/s with one decimal, as `farmctl allocation show` prints it.</summary>
    public static string Th(double? hashesPerSecond) => hashesPerSecond is { } h && double.IsFinite(h) ? (h / 1e12).ToString("F1", CultureInfo.InvariantCulture) : "-";

    /// <summary>TH·h with three decimals.</summary>
    public static string Thh(double? terahashHours) => terahashHours is { } v && double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "-";

    public static string Num(double value, string format) => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static string Money(decimal value) => value.ToString("0.00##", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>A whole page: title, style, body.</summary>
    public static string Page(string title, string body)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\">");
        sb.Append("<meta name=\"referrer\" content=\"no-referrer\"><title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>");
        sb.Append(body);
        sb.Append("</body></html>");
        return sb.ToString();
    }
}
