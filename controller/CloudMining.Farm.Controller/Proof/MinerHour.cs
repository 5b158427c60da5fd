namespace CloudMining.Farm.Controller.Proof;

/// <summary>
/// One miner's part in one contract-hour: its share × the seconds it held it, as hours (<paramref name="ShareHours"/>),
/// and the TH·h its accepted difficulty proved for the contract. Rows for the same key add up. <paramref name="Serial"/>
/// is the serial number the miner's firmware reported while it served the hour; null when it gives none (shown as
/// <see cref="Shared.Wire.MinerSerial.Unknown"/>). <paramref name="SuspectHours"/> is share × hours the miner held while
/// suspect (its readings outside the physical envelope, its place kept for the hold): not counted in
/// <paramref name="ShareHours"/>, and nothing it reported then is in <paramref name="DeliveredTerahashHours"/>.
/// </summary>
public sealed record MinerHour(string ContractId, DateTimeOffset Hour, string MinerId, string Rack, double ShareHours, double DeliveredTerahashHours, string? Serial = null, double SuspectHours = 0);
