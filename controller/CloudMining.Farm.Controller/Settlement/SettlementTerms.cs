using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Settlement;

/// <summary>
/// A contract's settlement terms: the shortfall it tolerates per period (percent of the period's target TH·h) and how
/// the shortfall beyond it is made good — extra hours at the end of the term, or a credit per missing TH·h.
/// </summary>
public sealed record SettlementTerms
{
    private SettlementTerms(double tolerancePercent, MakeGoodKind makeGood, decimal creditPerTerahashHour)
    {
        TolerancePercent = tolerancePercent;
        MakeGood = makeGood;
        CreditPerTerahashHour = creditPerTerahashHour;
    }

    /// <summary>Shortfall within this share of the period's target is not made good, percent (0–50).</summary>
    public double TolerancePercent { get; }

    public MakeGoodKind MakeGood { get; }

    /// <summary>With <see cref="MakeGoodKind.Credit"/>: the credit per missing TH·h, in the settlement currency.</summary>
    public decimal CreditPerTerahashHour { get; }

    /// <summary>Validates and builds terms; throws <see cref="ContractValidationException"/> naming the settlement field at fault.</summary>
    public static SettlementTerms Create(double tolerancePercent, MakeGoodKind makeGood, decimal creditPerTerahashHour = 0)
    {
        if (!double.IsFinite(tolerancePercent) || tolerancePercent is < 0 or > 50)
        {
            throw new ContractValidationException("settlement.tolerancePercent", $"{tolerancePercent} must be between 0 and 50 (percent of the period's target that is not made good).");
        }

        if (!Enum.IsDefined(makeGood))
        {
            throw new ContractValidationException("settlement.makeGood", $"{makeGood} is not a make-good; use extra-hours or credit.");
        }

        if (creditPerTerahashHour < 0 || (makeGood == MakeGoodKind.Credit && creditPerTerahashHour == 0))
        {
            throw new ContractValidationException("settlement.creditPerTerahashHour", $"{creditPerTerahashHour} must be above 0 when the make-good is a credit (the price of one missing TH·h).");
        }

        return new SettlementTerms(tolerancePercent, makeGood, creditPerTerahashHour);
    }
}
