namespace CloudMining.Farm.Controller.Operations;

// The operator-facing views of IControllerOperations: plain numbers in base units (H/s, W, °C) and strings, so they
// serialize as they are for the local API and farmctl --json.

/// <summary>The farm as the controller sees it now.</summary>
public sealed record FleetView(string Site, IReadOnlyList<RackView> Racks, IReadOnlyList<MinerView> Miners)
{
    /// <summary>Miner ids reported by a rack they do not belong to: for the operator to resolve; nothing moves meanwhile.</summary>
    public IReadOnlyList<ConflictView> Conflicts { get; init; } = [];
}

/// <summary>A miner id that <paramref name="ClaimingRack"/> reports although it belongs to <paramref name="OwnerRack"/>, since <paramref name="Since"/>.</summary>
public sealed record ConflictView(string MinerId, string OwnerRack, string ClaimingRack, DateTimeOffset Since);

/// <summary>One rack: its agent, its miners, whether it applied the latest desired pool state, and the miners its agent rejected.</summary>
public sealed record RackView(
    string Rack,
    bool AgentOnline,
    int MinersTotal,
    int MinersHashing,
    double HashrateHs,
    long? DesiredGeneration,
    long? AppliedGeneration,
    bool Lagging,
    DateTimeOffset? LastSeen,
    IReadOnlyList<RejectedMinerView>? RejectedMiners = null)
{
    /// <summary>Miners of the rack whose readings are outside the physical envelope (not sold; see <see cref="MinerView.SuspectReason"/>).</summary>
    public int MinersSuspect { get; init; }
}

/// <summary>A miner whose desired pool entry its rack's agent rejected (it keeps its old pools), with the agent's reason.</summary>
public sealed record RejectedMinerView(string MinerId, string Reason);

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

    /// <summary>True when the miner is suspect: its readings are outside the physical envelope and it is sold to nobody.</summary>
    public bool Suspect => SuspectReason is not null;

    /// <summary>Why the controller cannot enforce contracts on it (its pools cannot be set, or its capabilities are not reported), so it is not sold; null when it can.</summary>
    public string? NotEnforceable { get; init; }

    /// <summary>What to do about <see cref="NotEnforceable"/>.</summary>
    public string? NotEnforceableFix { get; init; }

    /// <summary>Whether a quota split can go to it, per its agent's capabilities.</summary>
    public bool SupportsPoolQuota { get; init; }

    /// <summary>Its operations as its agent reported them (available or not, channel, why not); null when nothing was reported.</summary>
    public IReadOnlyList<Shared.Wire.OperationCapability>? Operations { get; init; }
}

/// <summary>A share of one miner given to an assignee (contract id or "house"); not enforced while the rack's agent rejects the miner's entry.</summary>
public sealed record ShareView(string MinerId, string Rack, string Assignee, double Fraction, bool Enforced = true);

/// <summary>What the farm can sell: measured healthy hashrate minus the reserve, in units.</summary>
public sealed record CapacityView(
    double MeasuredHealthyHs,
    double ReserveHs,
    double UnitSizeHs,
    long UnitsTotal,
    long UnitsSold,
    long UnitsFree,
    double FreeHs,
    int MinersHealthy,
    int MinersTotal)
{
    /// <summary>Miners left out of capacity because their readings are outside the physical envelope.</summary>
    public int MinersSuspect { get; init; }
}

/// <summary>A contract with what it was promised, what it got allocated, and what it was measured to receive.</summary>
public sealed record ContractView(
    string Id,
    string Customer,
    string Status,
    double TargetHs,
    double AllocatedHs,
    double? DeliveredHs,
    string PoolUrl,
    string Worker,
    string TermKind,
    DateTimeOffset Start,
    DateTimeOffset? End,
    int? NegativeMarginDays,
    decimal MaintenancePerTerahashDay,
    bool ElectricityAtCost,
    IReadOnlyList<ShareView> Shares);

/// <summary>Input of `farmctl contracts add`: the hashrate as text ("100 TH/s"); no End means open-ended.</summary>
public sealed record NewContractRequest(
    string Id,
    string Customer,
    string Hashrate,
    string PoolUrl,
    string Worker,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    int? NegativeMarginDays,
    decimal MaintenancePerTerahashDay,
    bool ElectricityAtCost);

/// <summary>The current allocation: version, each contract's shares, and the house pool's.</summary>
public sealed record AllocationView(long Version, IReadOnlyList<ContractView> Contracts, IReadOnlyList<ShareView> House, double HouseHashrateHs);

/// <summary>A rebalance plan, applied or not, with every move explained.</summary>
public sealed record RebalanceView(bool Applied, long Version, int PoolSwitches, int QuotaAdjustments, double ShortfallHs, IReadOnlyList<MoveView> Moves);

/// <summary>One miner's change in a plan: from which assignees to which, and why.</summary>
public sealed record MoveView(string MinerId, string Rack, string From, string To, string Kind, string Reason, bool PoolSwitch);
