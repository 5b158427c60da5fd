namespace CloudMining.Farm.Agent.Configuration;

/// <summary>When the agent stops talking to a miner that keeps failing, and when it tries again.</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Failed polls in a row that open the circuit.</summary>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>How long an open circuit skips the miner before one probe poll is let through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(60);
}
