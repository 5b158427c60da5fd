namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// The latest closed (final) settlement period of a contract, in <see cref="AllocationPayload.Settlement"/>: target and
/// delivered TH·h from the hourly ledger, the shortfall, what the tolerance absorbed, how the rest is made good, energy
/// and fees, and the pool's own TH·h where the controller reads the customer's pool.
/// </summary>
public sealed record AllocationSettlement
{
    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required double TargetThh { get; init; }

    public required double DeliveredThh { get; init; }

    public required double ShortfallThh { get; init; }

    public required double ToleratedThh { get; init; }

    /// <summary>"extra-hours" or "credit".</summary>
    public required string MakeGood { get; init; }

    public required double MakeGoodThh { get; init; }

    public required double ExtraHours { get; init; }

    public required decimal Credit { get; init; }

    public required double EnergyKwh { get; init; }

    public required decimal MaintenanceFee { get; init; }

    public required decimal ElectricityCost { get; init; }

    public double? PoolThh { get; init; }

    /// <summary>Hours of the period the pool watch covered: <see cref="PoolThh"/> counts only those (additive within v1).</summary>
    public double? PoolObservedHours { get; init; }

    public required DateTimeOffset ClosedAt { get; init; }
}
