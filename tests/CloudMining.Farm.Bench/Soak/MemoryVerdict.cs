using System.Globalization;

namespace CloudMining.Farm.Bench.Soak;

/// <summary>
/// Whether the controller's memory is flat: the live managed heap after a forced full collection, each minute's lowest
/// of four samples (<see cref="SoakHarness.MinuteRow.HeapFloor"/>; whole minutes only, not the end row), fitted to a line (least squares) over the minutes after the warm-up and in the second half of the run. Flat when
/// that line rises less than <see cref="FlatPercentPerMinute"/> % of its mean a minute (a leak of one reading's
/// bookkeeping per miner per cycle, the delivery meter's before this was measured, rose 5-8 % a minute); RSS is
/// reported beside it, not judged (the runtime keeps freed pages). Fewer than three minutes to fit: too short to say.
/// </summary>
internal sealed record MemoryVerdict(bool Growing, string Text)
{
    /// <summary>Above this slope (percent of the mean live heap per minute) the heap is growing.</summary>
    public const double FlatPercentPerMinute = 1.0;

    public static MemoryVerdict Of(IReadOnlyList<SoakHarness.MinuteRow> rows, double warmupMinutes, TimeSpan? firstAllocation)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int lastMinute = rows.Count == 0 ? 0 : rows[^1].Minute;

        // The first allocation, when later than the configured warm-up (a loaded box), moves the warm-up too.
        double from = Math.Max(Math.Max(warmupMinutes, lastMinute / 2.0), firstAllocation is { } a ? Math.Ceiling(a.TotalMinutes) + 1 : 0);
        var fitted = rows.Where(r => r.Minute >= from).ToList();
        string allocation = firstAllocation is { } f ? string.Create(CultureInfo.InvariantCulture, $"first allocation at {f.TotalMinutes:0.0} min") : "no allocation seen";
        if (fitted.Count < 3)
        {
            return new MemoryVerdict(false, string.Create(
                CultureInfo.InvariantCulture,
                $"memory verdict: TOO SHORT — {fitted.Count} minute(s) after the warm-up (from minute {from:0.#}; {allocation}); a verdict needs 3: run at least {Math.Ceiling(Math.Max(warmupMinutes * 2, warmupMinutes + 3))} minutes"));
        }

        (double heapSlope, double heapMean) = Fit(fitted, r => r.HeapFloor);
        (double rssSlope, _) = Fit(fitted, r => r.Rss);
        double percent = heapMean == 0 ? 0 : heapSlope * 100 / heapMean;
        bool growing = percent > FlatPercentPerMinute;
        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"memory verdict: {(growing ? "GROWING" : "FLAT")} — live heap after a full GC (each minute's floor) over minutes {fitted[0].Minute}-{fitted[^1].Minute} (after the warm-up, {allocation}): {SoakHarness.Mb(fitted[0].HeapFloor)} -> {SoakHarness.Mb(fitted[^1].HeapFloor)}, min {SoakHarness.Mb(fitted.Min(r => r.HeapFloor))} max {SoakHarness.Mb(fitted.Max(r => r.HeapFloor))}, slope {heapSlope / 1048576:+0.0;-0.0} MB/min ({percent:+0.00;-0.00} % of the mean {heapMean / 1048576:0} MB a minute, flat below +{FlatPercentPerMinute:0.0} %); RSS slope {rssSlope / 1048576:+0.0;-0.0} MB/min ({SoakHarness.Mb(fitted[0].Rss)} -> {SoakHarness.Mb(fitted[^1].Rss)})");
        return new MemoryVerdict(growing, text);
    }

    // Least-squares slope (bytes per minute) and mean of the value over the rows' minutes.
    private static (double Slope, double Mean) Fit(List<SoakHarness.MinuteRow> rows, Func<SoakHarness.MinuteRow, long> value)
    {
        double meanX = rows.Average(r => (double)r.Minute);
        double meanY = rows.Average(r => (double)value(r));
        double sxy = rows.Sum(r => (r.Minute - meanX) * (value(r) - meanY));
        double sxx = rows.Sum(r => (r.Minute - meanX) * (r.Minute - meanX));
        return (sxx == 0 ? 0 : sxy / sxx, meanY);
    }
}
