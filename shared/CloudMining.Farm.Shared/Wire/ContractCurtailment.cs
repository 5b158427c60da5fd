namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// A contract's curtailment in <c>farm.v1.allocation</c> (<c>curtailment</c>, added within v1, issue 14):
/// <paramref name="State"/> is <c>protected</c> (never curtailed), <c>curtailable</c> (may be, within its allowance; not now)
/// or <c>curtailed</c> (some of its miners sleep or run at a lower power target now: <paramref name="Miners"/>, about
/// <paramref name="CurtailedHs"/> of hashrate not delivered). <paramref name="AllowanceHours"/> per <paramref name="Period"/>
/// (day, week, month) as sold; absent for a protected contract.
/// </summary>
public sealed record ContractCurtailment(string State, int Miners = 0, double CurtailedHs = 0, double? AllowanceHours = null, string? Period = null)
{
    public const string Protected = "protected";

    public const string Curtailable = "curtailable";

    public const string Curtailed = "curtailed";
}
