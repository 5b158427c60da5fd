namespace CloudMining.Farm.Shared.Wire;

/// <summary>Published on farm/v1/{site}/{rack}/reported by the agent: the pools it actually applied, and what failed.</summary>
public sealed record ReportedPoolStatePayload : FarmMessage
{
    public const string SchemaId = "farm.v1.reported";

    // Absent or null reads as empty (see MinerTelemetryPayload).
    private readonly IReadOnlyList<string> _errors = [];

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>The desired generation this report answers.</summary>
    public required long Generation { get; init; }

    public required IReadOnlyList<MinerPoolAssignment> Miners { get; init; }

    /// <summary>Miners the agent could not switch, with the reason (e.g. "unreachable").</summary>
    public IReadOnlyList<string> Errors { get => _errors; init => _errors = value ?? []; }

    /// <summary>True when every miner of the desired state was read back and verified at <see cref="Generation"/> (added within v1).</summary>
    public bool? Applied { get; init; }

    /// <summary>Per miner of the desired state: applied / pending / waiting / failed, the generation it is verified at, why not (added within v1).</summary>
    public IReadOnlyList<ReportedMinerStatus>? MinerStatus { get; init; }

    /// <summary>The newest desired state the agent refused, when it is newer than <see cref="Generation"/> (added within v1).</summary>
    public ReportedRejection? Rejected { get; init; }

    /// <summary>Per miner of the desired <c>curtailment[]</c>: how far the agent got (added within v1).</summary>
    public IReadOnlyList<ReportedCurtailment>? Curtailment { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> UnknownStates() =>
        [.. (MinerStatus ?? []).Select((m, i) => (m, i)).Where(x => x.m is not null && x.m.State == ReportedMinerState.Unknown).Select(x => $"minerStatus[{x.i}].state")];

    /// <inheritdoc />
    public override string? Malformation() =>
        base.Malformation()
        ?? FirstNull(("site", Site), ("rack", Rack))
        ?? NullItem("miners", Miners)
        ?? NullItem("errors", Errors)
        ?? (MinerStatus is null ? null : NullItem("minerStatus", MinerStatus))
        ?? Miners.Select((m, i) => m.MinerId is null ? $"\"miners[{i}].minerId\" is null" : NullItem($"miners[{i}].pools", m.Pools)).FirstOrDefault(p => p is not null)
        ?? MinerStatus?.Select((m, i) => m.MinerId is null ? $"\"minerStatus[{i}]\" lacks minerId" : null).FirstOrDefault(p => p is not null);
}
