namespace CloudMining.Farm.ControlApi;

/// <summary>A share of one miner given to an assignee (contract id or "house"); not enforced while the rack's agent rejects the miner's entry.</summary>
public sealed record ShareView(string MinerId, string Rack, string Assignee, double Fraction, bool Enforced = true);
