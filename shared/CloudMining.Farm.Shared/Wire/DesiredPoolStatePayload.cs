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

    /// <summary>
    /// Per miner of the rack the controller curtails or restores (added within v1; absent or empty: no curtailment).
    /// Independent of <see cref="Miners"/>: a miner whose pools are read-only may still sleep. Agents that do not know
    /// it ignore it; see docs/mqtt-contract.md, "Curtailment in the desired state".
    /// </summary>
    public IReadOnlyList<MinerCurtailTarget>? Curtailment { get; init; }
}
