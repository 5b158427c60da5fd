namespace CloudMining.Farm.ControlApi;

/// <summary>
/// A closed (final) settlement period of one contract: target vs delivered TH·h from the hourly ledger, the shortfall,
/// what the tolerance absorbed, how the rest is made good ("extra-hours" or "credit"), energy, fees, and the pool's own
/// TH·h where a pool watch read it, with the hours of the period it watched.
/// </summary>
public sealed record SettlementView(
    string ContractId,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    double TargetTerahashHours,
    double DeliveredTerahashHours,
    double ShortfallTerahashHours,
    double ToleratedTerahashHours,
    string MakeGood,
    double MakeGoodTerahashHours,
    double ExtraHours,
    decimal Credit,
    double EnergyKilowattHours,
    decimal MaintenanceFee,
    decimal ElectricityCost,
    double? PoolTerahashHours,
    DateTimeOffset ClosedAt,
    double? PoolObservedHours = null)
{
    /// <summary>Watched short of the whole period by less than this still counts as the whole period (poll timing).</summary>
    public const double FullPeriodSlackHours = 1.0 / 60;

    /// <summary>True when the pool's figure covers only part of the period: it reads low against ours as it stands.</summary>
    public bool PoolPartial => PoolTerahashHours is not null && PoolObservedHours is { } h && PoolWatchCoverage.IsPartial(h, (PeriodEnd - PeriodStart).TotalHours, FullPeriodSlackHours);

    /// <summary>How much of the period the pool watch covered, e.g. "20.5 of 24 h watched"; null when the whole period was (or without a pool figure).</summary>
    public string? PoolWatchedNote => PoolPartial && PoolObservedHours is { } h ? PoolWatchCoverage.Note(h, (PeriodEnd - PeriodStart).TotalHours) : null;
}
