using System.Globalization;

namespace CloudMining.Farm.Ctl.Ledger;

/// <summary>The CSV conventions of every farmctl export: invariant numbers with every digit, ISO 8601 UTC, RFC 4180 quoting.</summary>
public static class CsvText
{
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Hour(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
