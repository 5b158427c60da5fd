namespace CloudMining.Farm.Shared.Retry;

/// <summary>
/// The wait after a run of failures: <c>first · 2^attempt</c> (attempt 0 after the first failure), capped at
/// <c>cap</c>. What the farm uses wherever it tries something again: MQTT reconnects (with jitter on top, see
/// <c>MqttReconnectBackoff</c>), the agent's capability probes and serial reads.
/// </summary>
public static class DoublingBackoff
{
    public static TimeSpan Delay(int attempt, TimeSpan first, TimeSpan cap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        double ticks = attempt >= 40 ? double.PositiveInfinity : first.Ticks * Math.Pow(2, attempt);
        return ticks >= cap.Ticks ? cap : TimeSpan.FromTicks((long)ticks);
    }
}
