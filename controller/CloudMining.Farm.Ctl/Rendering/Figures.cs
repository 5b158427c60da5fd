using System.Globalization;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>How farmctl writes numbers: invariant culture, hashrates in TH/s (the unit contracts are sold in), UTC times.</summary>
public static class Figures
{
    /// <summary>A hashrate in TH/s with one decimal, without the unit (for columns headed "TH/s").</summary>
    public static string Th(double hashesPerSecond) => (hashesPerSecond / 1e12).ToString(Absurd(hashesPerSecond) ? "G4" : "F1", CultureInfo.InvariantCulture);

    /// <summary>An optional hashrate in TH/s, "-" when unknown.</summary>
    public static string Th(double? hashesPerSecond) => hashesPerSecond is { } h ? Th(h) : "-";

    /// <summary>A hashrate with its unit, e.g. "100.0 TH/s".</summary>
    public static string Rate(double hashesPerSecond) => Absurd(hashesPerSecond)
        ? (hashesPerSecond / 1e12).ToString("G4", CultureInfo.InvariantCulture) + " TH/s"
        : new Hashrate(hashesPerSecond).Format(HashrateUnit.TH, 1);

    // A suspect miner's reading (1e300 H/s) in fixed notation would be a 290-digit number.
    private static bool Absurd(double hashesPerSecond) => !double.IsFinite(hashesPerSecond) || Math.Abs(hashesPerSecond) >= 1e21;

    /// <summary>A share of a miner as a percentage, e.g. "100 %" or "37.5 %".</summary>
    public static string Share(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    /// <summary>delivered / target as a percentage; "-" when either is unknown.</summary>
    public static string Ratio(double? part, double whole) =>
        part is { } p && whole > 0 ? (p / whole * 100).ToString("F1", CultureInfo.InvariantCulture) + " %" : "-";

    /// <summary>An instant as ISO 8601 UTC to the minute, e.g. "2026-11-21 12:00Z".</summary>
    public static string Time(DateTimeOffset? instant) =>
        instant is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(double? value, string format = "F0") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
