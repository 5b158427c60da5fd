namespace CloudMining.Farm.Shared.Contract;

/// <summary>Published on farm/v1/{site}/{rack}/reported by the agent: the pools it actually applied, and what failed.</summary>
public sealed record ReportedPoolStatePayload : FarmMessage
{
    public const string SchemaId = "farm.v1.reported";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>The desired generation this report answers.</summary>
    public required long Generation { get; init; }

    public required IReadOnlyList<MinerPoolAssignment> Miners { get; init; }

    /// <summary>Miners the agent could not switch, with the reason (e.g. "unreachable").</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
