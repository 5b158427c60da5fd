namespace CloudMining.Farm.Shared.Wire;

/// <summary>Published on farm/v1/{site}/{rack}/events: a relay action, an alarm, or a watchdog step.</summary>
public sealed record FarmEventPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.event";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>relay, alarm, watchdog, or agent (the agent itself started or stopped).</summary>
    public required string Kind { get; init; }

    /// <summary>info, warning or critical.</summary>
    public required string Severity { get; init; }

    public string? MinerId { get; init; }

    /// <summary>What happened, e.g. "power-cycle", "over-temperature", "restart-requested".</summary>
    public required string Action { get; init; }

    public string? Detail { get; init; }
}
