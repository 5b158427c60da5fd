namespace CloudMining.Farm.Shared.Wire;

/// <summary>Retained on farm/v1/{site}/capacity: what the site can sell now.</summary>
public sealed record CapacityPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.capacity";

    public override string Schema => SchemaId;

    /// <summary>Which controller instance published it (Controller:Leadership:Instance; additive, absent from older controllers): with a leader and a standby, the one leading.</summary>
    public string? Instance { get; init; }

    public required string Site { get; init; }

    public required double TotalHashrateHs { get; init; }

    public required double AllocatedHashrateHs { get; init; }

    public required double AvailableHashrateHs { get; init; }

    public required int MinersOnline { get; init; }

    public required int MinersTotal { get; init; }

    // Added within v1 as optional fields (issue 5): capacity in sellable units.

    /// <summary>Size of one sellable unit, H/s.</summary>
    public double? UnitSizeHs { get; init; }

    /// <summary>Units the measured healthy hashrate (minus the reserve) supports.</summary>
    public long? UnitsTotal { get; init; }

    /// <summary>Units occupied by active and pending contracts (may exceed the total after failures).</summary>
    public long? UnitsSold { get; init; }

    /// <summary>Units that can still be sold.</summary>
    public long? UnitsFree { get; init; }

    /// <summary>Hashrate held back for failures, H/s.</summary>
    public double? ReserveHs { get; init; }
}
