namespace CloudMining.Farm.Controller.Leadership;

/// <summary>Who leads (kept in the store's engine_meta under "leader" by the leader itself): its name, its API address, since when.</summary>
public sealed record LeaderInfo(string Instance, string? ApiUrl, DateTimeOffset Since);
