namespace CloudMining.Farm.Agent.Configuration;

/// <summary>The "Agent:Telemetry" section.</summary>
public sealed class AgentTelemetryOptions
{
    /// <summary>
    /// Publish each cycle's readings as one <c>farm.v1.telemetry-batch</c> message per rack (several when the rack has
    /// more than 500 answering miners) on <c>farm/v1/{site}/{rack}/telemetry-batch</c> instead of one
    /// <c>farm.v1.telemetry</c> message per miner. Off by default: the per-miner contract stays as it is. Needs a
    /// controller that subscribes to the batch topic and a broker ACL that lets the rack write it (broker-setup.sh).
    /// State changes and events are per miner either way.
    /// </summary>
    public bool Batch { get; set; }
}
