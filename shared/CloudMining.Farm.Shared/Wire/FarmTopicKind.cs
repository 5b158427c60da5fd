namespace CloudMining.Farm.Shared.Wire;

/// <summary>Which branch of the farm/v1 topic tree a topic belongs to.</summary>
public enum FarmTopicKind
{
    AgentStatus,
    MinerTelemetry,
    MinerState,
    Events,
    Desired,
    Reported,
    Allocation,
    Capacity,

    /// <summary>A rack's telemetry of many miners in one message (<see cref="TelemetryBatchPayload"/>).</summary>
    TelemetryBatch,
}
