namespace CloudMining.Farm.Controller.Settlement;

/// <summary>The "Controller:Settlement" section: the settlement period and the terms of contracts that set none of their own.</summary>
public sealed class SettlementOptions
{
    /// <summary>Length of a settlement period, aligned to midnight UTC: a divisor of a day or whole days; default 1.00:00:00.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Shortfall tolerated per period when a contract has no terms of its own, percent of the target; default 5.</summary>
    public double DefaultTolerancePercent { get; set; } = 5;

    /// <summary>How shortfall beyond the tolerance is made good when a contract has no terms of its own; default extra hours.</summary>
    public MakeGoodKind DefaultMakeGood { get; set; } = MakeGoodKind.ExtraHours;

    /// <summary>Credit per missing TH·h for <see cref="MakeGoodKind.Credit"/> defaults.</summary>
    public decimal DefaultCreditPerTerahashHour { get; set; }

    /// <summary>The default terms; throws naming the settlement field when the defaults are inconsistent.</summary>
    public SettlementTerms DefaultTerms() => SettlementTerms.Create(DefaultTolerancePercent, DefaultMakeGood, DefaultCreditPerTerahashHour);

    /// <summary>Adds every problem with the values to <paramref name="errors"/>, each named by its key.</summary>
    public void Check(Configuration.ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        long day = TimeSpan.FromDays(1).Ticks;
        errors.Require(Period >= TimeSpan.FromHours(1) && (day % Period.Ticks == 0 || Period.Ticks % day == 0), "Controller:Settlement:Period", $"is {Period}; set a whole number of days, or hours that divide a day (01:00:00, 06:00:00, 12:00:00…).");
        try
        {
            DefaultTerms();
        }
        catch (Contracts.ContractValidationException e)
        {
            string key = e.Field switch
            {
                "settlement.tolerancePercent" => "Controller:Settlement:DefaultTolerancePercent",
                "settlement.makeGood" => "Controller:Settlement:DefaultMakeGood",
                _ => "Controller:Settlement:DefaultCreditPerTerahashHour",
            };
            errors.Add(key, e.Message);
        }
    }
}
