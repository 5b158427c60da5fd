namespace CloudMining.Farm.ControlApi;

/// <summary>One contract-hour of the ledger: what was owed, what was measurably delivered, the energy used and the fees.</summary>
/// <param name="ContractId">The contract.</param>
/// <param name="Hour">Start of the UTC hour the row covers.</param>
/// <param name="TargetTerahashHours">Target hashrate integrated over the hour, TH·h.</param>
/// <param name="DeliveredTerahashHours">Hashrate proven by accepted difficulty at the customer's pool, TH·h.</param>
/// <param name="ShortfallTerahashHours">Target minus delivered when positive, TH·h; what curtailment took by plan (within a curtailable contract's allowance) is not counted.</param>
/// <param name="EnergyKilowattHours">Energy of the miners (or shares of miners) serving the contract, kWh.</param>
/// <param name="MaintenanceFee">Maintenance fee accrued for the hour, settlement currency.</param>
/// <param name="ElectricityCost">Electricity billed at cost for the hour, settlement currency.</param>
public sealed record LedgerEntry(
    string ContractId,
    DateTimeOffset Hour,
    double TargetTerahashHours,
    double DeliveredTerahashHours,
    double ShortfallTerahashHours,
    double EnergyKilowattHours,
    decimal MaintenanceFee,
    decimal ElectricityCost);
