using System.Globalization;

namespace CloudMining.Farm.ControlApi;

/// <summary>
/// How much of a span (one hour, a day of hours, a settlement period) a pool watch covered, for the views that carry a
/// pool figure: whether that figure is partial, and the note that says so ("20.5 of 24 h watched").
/// </summary>
internal static class PoolWatchCoverage
{
    /// <summary>True when <paramref name="watched"/> falls short of <paramref name="whole"/> by more than <paramref name="slack"/> (poll timing), all in one unit.</summary>
    public static bool IsPartial(double watched, double whole, double slack) => watched < whole - slack;

    /// <summary>"<paramref name="watchedHours"/> of <paramref name="wholeHours"/> h watched", invariant culture.</summary>
    public static string Note(double watchedHours, double wholeHours) =>
        string.Create(CultureInfo.InvariantCulture, $"{watchedHours:0.##} of {wholeHours:0.#} h watched");
}
