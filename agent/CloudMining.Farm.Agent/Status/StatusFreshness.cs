namespace CloudMining.Farm.Agent.Status;

/// <summary>Decides whether a status file comes from an agent that is still running.</summary>
public static class StatusFreshness
{
    /// <summary>Missing three cycles in a row means the agent has stopped (or hangs), not that one cycle ran late.</summary>
    public const int StaleAfterIntervals = 3;

    public static TimeSpan Age(AgentStatusDocument document, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(document);
        return now - document.WrittenAt;
    }

    public static bool IsStale(AgentStatusDocument document, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Age(document, now) > TimeSpan.FromSeconds(document.PollIntervalSeconds * StaleAfterIntervals);
    }
}
