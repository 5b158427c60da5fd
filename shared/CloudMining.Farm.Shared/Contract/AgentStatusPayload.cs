namespace CloudMining.Farm.Shared.Contract;

/// <summary>Retained on farm/v1/{site}/{rack}/status: "online" while the agent runs, "offline" from its last will.</summary>
public sealed record AgentStatusPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.agent-status";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>"online" or "offline".</summary>
    public required string State { get; init; }

    public string? AgentVersion { get; init; }

    public int? MinersConfigured { get; init; }

    /// <summary>Seconds between poll cycles, so a consumer knows how fresh telemetry should be.</summary>
    public double? PollIntervalS { get; init; }

    /// <inheritdoc />
    public override string? Malformation() => base.Malformation() ?? FirstNull(("site", Site), ("rack", Rack), ("state", State));
}
