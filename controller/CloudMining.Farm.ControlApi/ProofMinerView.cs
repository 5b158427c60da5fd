namespace CloudMining.Farm.ControlApi;

/// <summary>
/// One miner's part in a contract-hour: <paramref name="ShareHours"/> is its share × the time it held it (1 = the whole
/// miner for the whole hour, 0.5 = half its hashrate by pool quota, or the whole miner for half the hour), and the TH·h
/// its accepted difficulty proved for the contract. <paramref name="Serial"/> is the serial number the miner's firmware
/// reported while it served the hour, or "unknown" when its firmware gives none (never a made-up value).
/// <paramref name="SuspectHours"/> is share × hours it held while suspect (readings outside the physical envelope, its
/// place kept for the hold): not service, not in <paramref name="ShareHours"/>, and nothing delivered is counted for it.
/// </summary>
public sealed record ProofMinerView(string MinerId, string Rack, double ShareHours, double DeliveredTerahashHours, string Serial = Shared.Wire.MinerSerial.Unknown, double SuspectHours = 0);
