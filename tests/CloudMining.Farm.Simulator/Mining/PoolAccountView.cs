namespace CloudMining.Farm.Simulator.Mining;

/// <summary>What one pool account (URL + worker) received from the whole simulated farm: the pool's side of the ledger.</summary>
/// <param name="Url">Stratum URL.</param>
/// <param name="User">Worker name.</param>
/// <param name="Hashes">Hashes the miners pointed at this account (exact, before share quantization).</param>
/// <param name="AcceptedShares">Shares the pool accepted.</param>
/// <param name="AcceptedDifficulty">Sum of accepted share difficulties (difficulty-1 units), what pools pay on.</param>
/// <param name="RejectedShares">Shares the pool rejected.</param>
/// <param name="RejectedDifficulty">Sum of rejected share difficulties.</param>
/// <param name="StaleShares">Stale shares.</param>
/// <param name="StaleDifficulty">Sum of stale share difficulties.</param>
/// <param name="Alive">Whether the pool is up (a dead pool receives nothing).</param>
public sealed record PoolAccountView(
    string Url,
    string User,
    double Hashes,
    long AcceptedShares,
    double AcceptedDifficulty,
    long RejectedShares,
    double RejectedDifficulty,
    long StaleShares,
    double StaleDifficulty,
    bool Alive)
{
    /// <summary>Average hashrate the accepted difficulty proves over a period: difficulty × 2^32 / seconds.</summary>
    public double ProvenHashesPerSecond(TimeSpan period) =>
        period <= TimeSpan.Zero ? 0 : AcceptedDifficulty * 4294967296.0 / period.TotalSeconds;
}
