using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.ControlApi;

/// <summary>A contract with what it was promised, what it got allocated, and what it was measured to receive; whether it may be curtailed and for how long per period.</summary>
public sealed record ContractView(
    string Id,
    string Customer,
    ContractStatus Status,
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
    IReadOnlyList<ShareView> Shares,
    bool Curtailable = false,
    double? CurtailAllowanceHours = null,
    string? CurtailPeriod = null);
