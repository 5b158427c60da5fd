namespace CloudMining.Farm.Shared.Wire;

/// <summary>Retained on farm/v1/{site}/{rack}/desired by the controller: the pools each miner of the rack should mine on.</summary>
public sealed record DesiredPoolStatePayload : FarmMessage
{
    public const string SchemaId = "farm.v1.desired";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>Increases with every change the controller makes; the agent echoes it in the reported state.</summary>
    public required long Generation { get; init; }

    public required IReadOnlyList<MinerPoolAssignment> Miners { get; init; }
}
