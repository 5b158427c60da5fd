namespace CloudMining.Farm.Controller.Admission;

/// <summary>One rack reporting one miner id: its latest telemetry time (the agent's clock) and whether that reading is healthy.</summary>
public sealed record MinerSighting(string MinerId, string Rack, DateTimeOffset? TelemetryAt, bool Healthy);
