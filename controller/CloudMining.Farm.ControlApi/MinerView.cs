using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.ControlApi;

/// <summary>
/// One miner: live readings, maintenance flag, and the contracts (or house pool) it mines for. <c>PoolRejection</c> is
/// the agent's reason when it rejected this miner's desired pools (the shares are then not enforced).
/// </summary>
public sealed record MinerView(
    string MinerId,
    string Rack,
    string? Profile,
    string? Model,
    string? State,
    double? HashrateHs,
    double? PowerW,
    double? MaxChipTempC,
    bool Drained,
    IReadOnlyList<ShareView> Shares,
    DateTimeOffset? TelemetryAt,
    string? PoolRejection = null)
{
    /// <summary>Why the miner's readings are not believed (e.g. "average hashrate 1e+300 H/s is above ..."); null when they are.</summary>
    public string? SuspectReason { get; init; }

    /// <summary>A miner id first heard recently: not sellable until it has given enough healthy readings (docs/allocation.md, "Admission").</summary>
    public bool Probation { get; init; }

    /// <summary>Set when this report is one side of a miner id conflict: which rack it belongs to, or which other rack claims it.</summary>
    public string? Conflict { get; init; }

    /// <summary>True when this is a rack's report of a miner that belongs to another rack: ignored, and not counted in that rack's row.</summary>
    public bool ForeignClaim { get; init; }

    /// <summary>True when the miner is suspect: its readings are outside the physical envelope and it is sold to nobody.</summary>
    public bool Suspect => SuspectReason is not null;

    /// <summary>Why the controller cannot enforce contracts on it (its pools cannot be set, or its capabilities are not reported), so it is not sold; null when it can.</summary>
    public string? NotEnforceable { get; init; }

    /// <summary>What to do about <see cref="NotEnforceable"/>.</summary>
    public string? NotEnforceableFix { get; init; }

    /// <summary>Whether a quota split can go to it, per its agent's capabilities.</summary>
    public bool SupportsPoolQuota { get; init; }

    /// <summary>Its operations as its agent reported them (available or not, channel, why not); null when nothing was reported.</summary>
    public IReadOnlyList<OperationCapability>? Operations { get; init; }
}
