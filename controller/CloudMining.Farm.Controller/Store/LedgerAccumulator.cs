namespace CloudMining.Farm.Controller.Store;

/// <summary>An hour of a contract still being measured: hashes proven at the customer's pool and energy so far.</summary>
/// <param name="ContractId">The contract.</param>
/// <param name="Hour">Start of the UTC hour.</param>
/// <param name="DeliveredHashes">Accepted difficulty × 2^32 credited to the hour so far.</param>
/// <param name="EnergyWattHours">Energy of the contract's miners (times their share) so far, Wh.</param>
public sealed record LedgerAccumulator(string ContractId, DateTimeOffset Hour, double DeliveredHashes, double EnergyWattHours);
