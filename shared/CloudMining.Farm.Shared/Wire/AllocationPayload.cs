namespace CloudMining.Farm.Shared.Wire;

/// <summary>Published on farm/v1/{site}/allocation/{contractId}: the hashrate and miners serving one contract.</summary>
public sealed record AllocationPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.allocation";

    public override string Schema => SchemaId;

    /// <summary>Which controller instance published it (Controller:Leadership:Instance; additive, absent from older controllers): with a leader and a standby, the one leading.</summary>
    public string? Instance { get; init; }

    public required string Site { get; init; }

    public required string ContractId { get; init; }

    public required double HashrateHs { get; init; }

    public required IReadOnlyList<string> MinerIds { get; init; }

    public required DateTimeOffset ValidFrom { get; init; }

    public DateTimeOffset? ValidUntil { get; init; }

    // Added within v1 as optional fields (issue 5): what the platform shows a customer.

    /// <summary>"pending" (term not started), "active", or "ended" (final; the retained message stays as the last word).</summary>
    public ContractStatus? Status { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> UnknownStates() => Status == ContractStatus.Unknown ? ["status"] : [];

    /// <summary>The hashrate sold, H/s.</summary>
    public double? TargetHs { get; init; }

    /// <summary>Measured hashrate of the miners (and shares) allocated, H/s; the same number as <see cref="HashrateHs"/>.</summary>
    public double? AllocatedHs { get; init; }

    /// <summary>Hashrate proven by accepted difficulty at the customer's pool over the proof window, H/s; absent until measured.</summary>
    public double? DeliveredHs { get; init; }

    /// <summary>The allocation version this reflects (the desired-state generation that carries it to the agents).</summary>
    public long? Version { get; init; }

    /// <summary>Each miner serving the contract and the fraction of it (1 = whole miner, less = pool quota share).</summary>
    public IReadOnlyList<AllocationShare>? Shares { get; init; }

    /// <summary>The contract's curtailment: protected, curtailable, or curtailed now (added within v1, issue 14).</summary>
    public ContractCurtailment? Curtailment { get; init; }

    // Added within v1 as an optional field (issue 13).

    /// <summary>The contract's latest closed settlement period; absent until one has closed since the controller started.</summary>
    public AllocationSettlement? Settlement { get; init; }
}
