namespace CloudMining.Farm.Simulator.PoolApi;

/// <summary>
/// One read-only key a simulated pool accepts: which account's workers it may read (the workers named
/// "<see cref="Username"/>.something"), and on which stratum URLs (null: any URL the farm mines to).
/// </summary>
public sealed record PoolApiAccount(PoolApiStyle Style, string Key, string Username, IReadOnlyCollection<string>? StratumUrls = null);
