namespace CloudMining.Farm.Controller.Admission;

/// <summary>A miner id reported by a rack it does not belong to, since when the controller has seen it: an operator matter, never a move.</summary>
public sealed record MinerConflict(string MinerId, string OwnerRack, string ClaimingRack, DateTimeOffset Since);
