namespace CloudMining.Farm.ControlApi;

/// <summary>
/// One contract-hour of proof: the ledger row (<see cref="LedgerEntry"/>), the pool's own TH·h where a pool watch read
/// it, and the miners (by id, the serial their agent reports) that served the hour. <see cref="Open"/> marks the hour in
/// progress: its target and delivery so far.
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
    bool Open = false);
