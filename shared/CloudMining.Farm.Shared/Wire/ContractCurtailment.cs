namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// A contract's curtailment in <c>farm.v1.allocation</c> (<c>curtailment</c>, added within v1, issue 14):
/// <paramref name="State"/> is <c>protected</c> (never curtailed), <c>curtailable</c> (may be, within its allowance; not now)
/// or <c>curtailed</c> (some of its miners sleep or run at a lower power target now: <paramref name="Miners"/>, about
/// <paramref name="CurtailedHs"/> of hashrate not delivered). <paramref name="AllowanceHours"/> per <paramref name="Period"/>
/// (day, week, month) as sold; absent for a protected contract. <paramref name="AllowanceUsedHours"/>: the hours of it used
/// in the current period, which began at <paramref name="PeriodStart"/> (the curtailment ledger's curtailed hours, the
/// open hour included; the planner leaves the contract alone once they reach the allowance); added after the first
/// curtailment fields, absent for a protected contract and from older controllers.
/// </summary>
public sealed record ContractCurtailment(string State, int Miners = 0, double CurtailedHs = 0, double? AllowanceHours = null, string? Period = null, double? AllowanceUsedHours = null, DateTimeOffset? PeriodStart = null)
{
    public const string Protected = "protected";

    public const string Curtailable = "curtailable";

    public const string Curtailed = "curtailed";
}
