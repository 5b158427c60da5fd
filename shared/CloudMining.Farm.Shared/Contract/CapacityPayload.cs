namespace CloudMining.Farm.Shared.Contract;

/// <summary>Retained on farm/v1/{site}/capacity: what the site can sell now.</summary>
public sealed record CapacityPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.capacity";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required double TotalHashrateHs { get; init; }

    public required double AllocatedHashrateHs { get; init; }

    public required double AvailableHashrateHs { get; init; }

    public required int MinersOnline { get; init; }

    public required int MinersTotal { get; init; }
}
