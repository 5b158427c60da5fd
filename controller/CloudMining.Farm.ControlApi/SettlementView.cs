namespace CloudMining.Farm.ControlApi;

/// <summary>
/// A closed (final) settlement period of one contract: target vs delivered TH·h from the hourly ledger, the shortfall,
/// what the tolerance absorbed, how the rest is made good ("extra-hours" or "credit"), energy, fees, and the pool's own
/// TH·h where a pool watch read it.
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
    DateTimeOffset ClosedAt);
