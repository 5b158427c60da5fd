namespace CloudMining.Farm.ControlApi;

/// <summary>A miner id that <paramref name="ClaimingRack"/> reports although it belongs to <paramref name="OwnerRack"/>, since <paramref name="Since"/>.</summary>
public sealed record ConflictView(string MinerId, string OwnerRack, string ClaimingRack, DateTimeOffset Since);
