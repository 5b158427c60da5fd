namespace CloudMining.Farm.Shared.Contract;

/// <summary>Published on farm/v1/{site}/allocation/{contractId}: the hashrate and miners serving one contract.</summary>
public sealed record AllocationPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.allocation";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string ContractId { get; init; }

    public required double HashrateHs { get; init; }

    public required IReadOnlyList<string> MinerIds { get; init; }

    public required DateTimeOffset ValidFrom { get; init; }

    public DateTimeOffset? ValidUntil { get; init; }
}
