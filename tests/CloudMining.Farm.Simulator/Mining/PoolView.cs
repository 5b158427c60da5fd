namespace CloudMining.Farm.Simulator.Mining;

/// <summary>One pool of a miner at the moment of a reply (the miner's counters since boot).</summary>
public sealed record PoolView(
    int Index,
    string Url,
    string User,
    int Priority,
    int Quota,
    bool Enabled,
    bool Alive,
    bool Active,
    long Accepted,
    long Rejected,
    long Stale,
    long Getworks,
    double Diff1,
    double ShareDifficulty,
    DateTimeOffset? LastShareAt,
    double LastShareDifficulty,
    double DifficultyAccepted,
    double DifficultyRejected,
    double DifficultyStale,
    int Group = 0)
{
    /// <summary>cgminer's pool status word: Alive, Dead or Disabled.</summary>
    public string Status => !Enabled ? "Disabled" : Alive ? "Alive" : "Dead";
}
