namespace CloudMining.Farm.Controller.Admission;

/// <summary>A miner id the controller has admitted (past probation, or in the allocation before probation existed) and the rack it belongs to.</summary>
public sealed record KnownMiner(string MinerId, string Rack, DateTimeOffset AdmittedAt);
