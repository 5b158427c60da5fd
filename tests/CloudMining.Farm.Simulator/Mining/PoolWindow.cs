namespace CloudMining.Farm.Simulator.Mining;

/// <summary>What a pool account was credited in [From, To): accepted difficulty and shares, stale difficulty, and its last share.</summary>
public sealed record PoolWindow(DateTimeOffset From, DateTimeOffset To, double AcceptedDifficulty, double AcceptedShares, double StaleDifficulty, DateTimeOffset? LastShareAt)
{
    /// <summary>The hashrate the accepted difficulty proves over the window, H/s (difficulty × 2^32 / seconds).</summary>
    public double HashesPerSecond => To > From ? AcceptedDifficulty * 4294967296.0 / (To - From).TotalSeconds : 0;

    /// <summary>The hashrate the stale shares represent over the window, H/s.</summary>
    public double StaleHashesPerSecond => To > From ? StaleDifficulty * 4294967296.0 / (To - From).TotalSeconds : 0;
}
