namespace CloudMining.Farm.ControlApi;

/// <summary>
/// A curtailable contract's allowance in its current period (`farmctl curtail status`): <paramref name="AllowanceHours"/>
/// per <paramref name="Period"/> as sold, the hours curtailed since <paramref name="PeriodStart"/> (the curtailment
/// ledger's, the open hour included) and the hours left; <paramref name="RestoredUsedUp"/>: it ran out during the goal in
/// force, so its miners were restored and the goal does not curtail it again.
/// </summary>
public sealed record CurtailmentAllowanceView(
    string ContractId,
    double AllowanceHours,
    string Period,
    DateTimeOffset PeriodStart,
    double UsedHours,
    double LeftHours,
    bool RestoredUsedUp);
