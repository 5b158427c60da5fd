namespace CloudMining.Farm.Controller.Contracts;

/// <summary>The period a contract's curtailment allowance renews over (UTC calendar day, ISO week from Monday, calendar month).</summary>
public enum CurtailmentPeriod
{
    Day,
    Week,
    Month,
}
