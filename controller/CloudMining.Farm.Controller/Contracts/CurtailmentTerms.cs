using System.Globalization;

namespace CloudMining.Farm.Controller.Contracts;

/// <summary>
/// Whether the operator may curtail a contract's hashrate (lower power or sleep its miners when power is dear or the grid
/// asks), and for how many hours per period. A contract without such a term is protected: curtailment never touches it.
/// </summary>
public sealed record CurtailmentTerms
{
    private CurtailmentTerms(bool curtailable, double allowanceHours, CurtailmentPeriod period)
    {
        Curtailable = curtailable;
        AllowanceHours = allowanceHours;
        Period = period;
    }

    /// <summary>Never curtailed: the default of every contract, and of every contract sold before the term existed.</summary>
    public static CurtailmentTerms Protected { get; } = new(false, 0, CurtailmentPeriod.Month);

    public bool Curtailable { get; }

    /// <summary>Hours per <see cref="Period"/> the contract may be curtailed; 0 when protected.</summary>
    public double AllowanceHours { get; }

    public CurtailmentPeriod Period { get; }

    /// <summary>A curtailable term; throws naming "curtailment.allowanceHours" unless 0 &lt; hours ≤ the period's length.</summary>
    public static CurtailmentTerms Allow(double allowanceHours, CurtailmentPeriod period)
    {
        double max = MaxHours(period);
        if (!double.IsFinite(allowanceHours) || allowanceHours <= 0 || allowanceHours > max)
        {
            throw new ContractValidationException(
                "curtailment.allowanceHours",
                $"{allowanceHours.ToString(CultureInfo.InvariantCulture)} must be more than 0 and at most {max} hours per {Name(period)}; leave it out for a protected (never curtailed) contract.");
        }

        return new CurtailmentTerms(true, allowanceHours, period);
    }

    /// <summary>Parses "day", "week" or "month" (any case); throws naming "curtailment.period" otherwise.</summary>
    public static CurtailmentPeriod ParsePeriod(string? text) =>
        text?.Trim().ToUpperInvariant() switch
        {
            "DAY" => CurtailmentPeriod.Day,
            "WEEK" => CurtailmentPeriod.Week,
            "MONTH" or null or "" => CurtailmentPeriod.Month,
            _ => throw new ContractValidationException("curtailment.period", $"'{text}' is not a period; use day, week or month."),
        };

    /// <summary>The period's name as the API and farmctl write it.</summary>
    public static string Name(CurtailmentPeriod period) => period switch
    {
        CurtailmentPeriod.Day => "day",
        CurtailmentPeriod.Week => "week",
        _ => "month",
    };

    /// <summary>Start (UTC) of the period that contains <paramref name="instant"/>.</summary>
    public static DateTimeOffset PeriodStart(CurtailmentPeriod period, DateTimeOffset instant)
    {
        DateTime day = instant.UtcDateTime.Date;
        DateTime start = period switch
        {
            CurtailmentPeriod.Day => day,
            CurtailmentPeriod.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            _ => new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc),
        };
        return new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc));
    }

    /// <summary>The longest any such period is (a 31-day month).</summary>
    public static double MaxHours(CurtailmentPeriod period) => period switch
    {
        CurtailmentPeriod.Day => 24,
        CurtailmentPeriod.Week => 168,
        _ => 744,
    };

    /// <summary>"protected" or "up to 4 h per month".</summary>
    public override string ToString() =>
        Curtailable ? $"up to {AllowanceHours.ToString("0.##", CultureInfo.InvariantCulture)} h per {Name(Period)}" : "protected";
}
