using CloudMining.Farm.Shared.Retry;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// The wait before reconnect attempt n (0-based): <c>min · 2^n</c>, capped at <c>max</c>, times a jitter factor in
/// [0.8, 1.0] so that a broker restart is not met by every rack at the same instant. Each delay below the cap is at
/// least 1.6 times the previous one; none exceeds <c>max</c>.
/// </summary>
public static class MqttReconnectBackoff
{
    public const double MinJitter = 0.8;

    /// <param name="attempt">Failed attempts so far, minus one (Polly's AttemptNumber of the retry).</param>
    /// <param name="min">Delay before the first retry, before jitter.</param>
    /// <param name="max">Longest delay.</param>
    /// <param name="random">A uniform sample in [0, 1).</param>
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, double random)
    {
        double jitter = MinJitter + ((1 - MinJitter) * Math.Clamp(random, 0, 1));
        return DoublingBackoff.Delay(attempt, min, max) * jitter;
    }
}
