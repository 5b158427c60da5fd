using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Store;

namespace CloudMining.Farm.Controller.Settlement;

/// <summary>
/// Settles one contract over one period from its hourly ledger rows: a pure computation. Shortfall = target − delivered
/// − what curtailment took by plan (as the hours' rows excused it; never negative); the tolerance absorbs up to
/// TolerancePercent of the target; the rest is made good either as extra hours at the contract's hashrate (missing TH·h
/// ÷ target TH/s) or as a credit (missing TH·h × credit price).
/// </summary>
public static class SettlementCalculator
{
    public static ContractSettlement Settle(Contract contract, SettlementTerms terms, DateTimeOffset periodStart, DateTimeOffset periodEnd, IEnumerable<LedgerEntry> rows, double? poolTerahashHours, DateTimeOffset closedAt)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(rows);
        if (periodEnd <= periodStart)
        {
            throw new ArgumentOutOfRangeException(nameof(periodEnd), periodEnd, "A settlement period must end after it starts.");
        }

        List<LedgerEntry> inPeriod = [.. rows.Where(r => r.ContractId == contract.Id && r.Hour >= periodStart && r.Hour < periodEnd)];
        double target = inPeriod.Sum(r => r.TargetTerahashHours);
        double delivered = inPeriod.Sum(r => r.DeliveredTerahashHours);
        // An hour's row excuses what curtailment took by plan (its shortfall is target − curtailed − delivered): so does the period.
        double excused = inPeriod.Sum(r => Math.Max(0, Math.Max(0, r.TargetTerahashHours - r.DeliveredTerahashHours) - r.ShortfallTerahashHours));
        double shortfall = Math.Max(0, target - delivered - excused);
        double tolerated = Math.Min(shortfall, target * terms.TolerancePercent / 100);
        double missing = shortfall - tolerated;
        double extraHours = terms.MakeGood == MakeGoodKind.ExtraHours && missing > 0 ? missing / contract.Target.TerahashesPerSecond : 0;
        decimal credit = terms.MakeGood == MakeGoodKind.Credit && missing > 0 ? Math.Round((decimal)missing * terms.CreditPerTerahashHour, 8) : 0m;
        return new ContractSettlement(
            contract.Id,
            periodStart,
            periodEnd,
            target,
            delivered,
            shortfall,
            tolerated,
            terms.MakeGood,
            missing,
            extraHours,
            credit,
            inPeriod.Sum(r => r.EnergyKilowattHours),
            inPeriod.Sum(r => r.MaintenanceFee),
            inPeriod.Sum(r => r.ElectricityCost),
            poolTerahashHours,
            closedAt);
    }

    /// <summary>The period of length <paramref name="period"/> (aligned to midnight UTC, 1 day by default) that holds <paramref name="instant"/>.</summary>
    public static DateTimeOffset PeriodStartOf(DateTimeOffset instant, TimeSpan period)
    {
        if (period <= TimeSpan.Zero || TimeSpan.FromDays(1).Ticks % period.Ticks != 0 && period.Ticks % TimeSpan.FromDays(1).Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "A settlement period must divide a day (1 h, 6 h, 12 h…) or be whole days.");
        }

        long ticks = instant.UtcTicks - (instant.UtcTicks % period.Ticks);
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }
}
