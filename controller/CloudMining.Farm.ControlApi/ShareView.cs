namespace CloudMining.Farm.ControlApi;

/// <summary>
/// A share of one miner given to an assignee (contract id or "house"); not enforced while the rack's agent rejects the
/// miner's entry. <paramref name="Serial"/>: the serial number its firmware reports, "unknown" when it gives none.
/// </summary>
public sealed record ShareView(string MinerId, string Rack, string Assignee, double Fraction, bool Enforced = true, string Serial = Shared.Wire.MinerSerial.Unknown);
