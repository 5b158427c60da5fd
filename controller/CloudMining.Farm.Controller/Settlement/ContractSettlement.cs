namespace CloudMining.Farm.Controller.Settlement;

/// <summary>
/// One contract's settled period [PeriodStart, PeriodEnd): target and delivered TH·h from the hourly ledger, the
/// shortfall, the part of it the tolerance absorbs, what makes the rest good (extra hours or a credit), energy and fees,
/// and the pool's own TH·h where a pool watch read it, with <see cref="PoolObservedHours"/>, how many hours of the period
/// the watch covered (the pool figure counts only those: a period watched for 20 of 24 hours reads about a sixth low).
/// Immutable once stored (<see cref="ClosedAt"/>).
/// </summary>
public sealed record ContractSettlement(
    string ContractId,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    double TargetTerahashHours,
    double DeliveredTerahashHours,
    double ShortfallTerahashHours,
    double ToleratedTerahashHours,
    MakeGoodKind MakeGood,
    double MakeGoodTerahashHours,
    double ExtraHours,
    decimal Credit,
    double EnergyKilowattHours,
    decimal MaintenanceFee,
    decimal ElectricityCost,
    double? PoolTerahashHours,
    DateTimeOffset ClosedAt,
    double? PoolObservedHours = null);
