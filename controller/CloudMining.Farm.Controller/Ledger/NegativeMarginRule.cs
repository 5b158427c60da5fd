using CloudMining.Farm.Controller.Store;

namespace CloudMining.Farm.Controller.Ledger;

/// <summary>
/// When an open-ended contract auto-terminates: its ledger shows a negative mining margin on each of the last N complete
/// UTC days. A day's margin = delivered TH·h / 24 × hashprice − (energy kWh × electricity price) − maintenance fee, i.e.
/// what the customer earned minus what mining cost them. A day without ledger rows breaks the run (nothing measured,
/// nothing concluded).
/// </summary>
public static class NegativeMarginRule
{
    /// <summary>The margin of each complete day in the rows, oldest first.</summary>
    public static IReadOnlyList<(DateOnly Day, decimal Margin)> DailyMargins(IEnumerable<LedgerEntry> rows, decimal hashpricePerThDay, decimal electricityPricePerKwh)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return [.. rows
            .GroupBy(r => DateOnly.FromDateTime(r.Hour.UtcDateTime))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Sum(r => ((decimal)r.DeliveredTerahashHours / 24m * hashpricePerThDay) - ((decimal)r.EnergyKilowattHours * electricityPricePerKwh) - r.MaintenanceFee)))];
    }

    /// <summary>
    /// True when each of the <paramref name="days"/> complete days before <paramref name="now"/>'s day had a negative
    /// margin; a day that began before <paramref name="contractStart"/> (the contract's partial first day) does not count.
    /// </summary>
    public static bool ShouldTerminate(IEnumerable<LedgerEntry> rows, int days, decimal hashpricePerThDay, decimal electricityPricePerKwh, DateTimeOffset now, DateTimeOffset? contractStart = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var margins = DailyMargins(rows, hashpricePerThDay, electricityPricePerKwh).ToDictionary(m => m.Day, m => m.Margin);
        DateOnly today = DateOnly.FromDateTime(now.UtcDateTime);
        for (int i = 1; i <= days; i++)
        {
            DateOnly day = today.AddDays(-i);
            if (contractStart is { } start && day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) < start.UtcDateTime)
            {
                return false;
            }

            if (!margins.TryGetValue(day, out decimal margin) || margin >= 0)
            {
                return false;
            }
        }

        return true;
    }
}
