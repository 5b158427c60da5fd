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

    /// <summary>True when every miner of the desired state was read back and verified at <see cref="Generation"/> (added within v1).</summary>
    public bool? Applied { get; init; }

    /// <summary>Per miner of the desired state: applied / pending / waiting / failed, the generation it is verified at, why not (added within v1).</summary>
    public IReadOnlyList<ReportedMinerStatus>? MinerStatus { get; init; }

    /// <summary>The newest desired state the agent refused, when it is newer than <see cref="Generation"/> (added within v1).</summary>
    public ReportedRejection? Rejected { get; init; }
}
