namespace CloudMining.Farm.ControlApi;

/// <summary>
/// One contract-hour of proof: the ledger row (<see cref="LedgerEntry"/>), the pool's own TH·h where a pool watch read
/// it, and the miners (by id, the serial their agent reports) that served the hour. <see cref="Open"/> marks the hour in
/// progress: its target and delivery so far. <see cref="PoolObservedSeconds"/> is how much of the hour the pool watch
/// covered: the pool's figure counts only that part, so a partly watched hour reads low and is compared with ours only
/// through <see cref="PoolTerahashHoursFullHour"/> (scaled to the whole hour, an estimate) or not at all.
/// </summary>
public sealed record ProofHourView(
    DateTimeOffset Hour,
    double TargetTerahashHours,
    double DeliveredTerahashHours,
    double? PoolTerahashHours,
    double ShortfallTerahashHours,
    double EnergyKilowattHours,
    decimal MaintenanceFee,
    decimal ElectricityCost,
    IReadOnlyList<ProofMinerView> Miners,
    bool Open = false,
    double? PoolObservedSeconds = null)
{
    /// <summary>Seconds in an hour.</summary>
    public const double HourSeconds = 3600;

    /// <summary>Coverage short of the whole hour by less than this still counts as the whole hour (poll timing).</summary>
    public const double FullHourSlackSeconds = 60;

    /// <summary>The share of the hour the pool watch covered (0–1); null without a pool figure (or with one stored before coverage was).</summary>
    public double? PoolCoverage => PoolTerahashHours is null || PoolObservedSeconds is not { } s ? null : Math.Clamp(s / HourSeconds, 0, 1);

    /// <summary>True when the pool's figure covers only part of the hour: it is not comparable with ours as it stands.</summary>
    public bool PoolPartial => PoolCoverage is { } c && PoolWatchCoverage.IsPartial(c * HourSeconds, HourSeconds, FullHourSlackSeconds);

    /// <summary>The pool's figure for the whole hour: as read for a fully watched hour, scaled up from the watched part (an estimate) for a partial one.</summary>
    public double? PoolTerahashHoursFullHour => PoolTerahashHours is not { } p ? null
        : !PoolPartial ? p
        : PoolCoverage is double c && c > 0 ? p / c : null;

    /// <summary>
    /// How many of <paramref name="hours"/> the pool watch covered, e.g. "20.5 of 24 h watched", or null when it covered
    /// them all: a total of the pool's figures reads low by the hours it did not watch.
    /// </summary>
    public static string? PoolWatchedNote(IReadOnlyCollection<ProofHourView> hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        if (hours.Count == 0 || !hours.Any(h => h.PoolTerahashHours is not null))
        {
            return null;
        }

        double watched = hours.Sum(h => h.PoolTerahashHours is null ? 0 : h.PoolCoverage is { } c ? (h.PoolPartial ? c : 1) : 1);
        return watched >= hours.Count - 1e-9 ? null : PoolWatchCoverage.Note(watched, hours.Count);
    }
}
