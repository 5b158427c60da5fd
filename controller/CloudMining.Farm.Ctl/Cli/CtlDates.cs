using System.Globalization;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>Reads dates given on the command line: ISO 8601; a bare date or a time without offset is UTC.</summary>
public static class CtlDates
{
    public static DateTimeOffset? Parse(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset value)
            ? value
            : throw new CtlUsageException($"{option} '{text}' is not a date; use ISO 8601 such as 2027-01-01 or 2027-01-01T00:00:00Z (UTC).");
    }
}
