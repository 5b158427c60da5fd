using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Settlement;

public sealed class SettlementCalculatorTests
{
    internal static readonly DateTimeOffset Day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_day_with_a_ten_percent_outage_is_made_good_with_the_extra_hours_the_terms_say()
    {
        Contract c = Contract100Th();
        IReadOnlyList<LedgerEntry> rows = DayWithOutage(c, outageStart: Day.AddHours(10), outage: TimeSpan.FromHours(2.4));
        SettlementTerms terms = SettlementTerms.Create(tolerancePercent: 5, MakeGoodKind.ExtraHours);

        ContractSettlement s = SettlementCalculator.Settle(c, terms, Day, Day.AddDays(1), rows, poolTerahashHours: null, Day.AddDays(1));

        Assert.Equal(2400, s.TargetTerahashHours, 1e-6);
        Assert.Equal(2160, s.DeliveredTerahashHours, 1e-6);
        Assert.Equal(240, s.ShortfallTerahashHours, 1e-6);
        Assert.Equal(120, s.ToleratedTerahashHours, 1e-6);
        Assert.Equal(120, s.MakeGoodTerahashHours, 1e-6);

        // 120 TH·h missing beyond the 5 % tolerance, at the contract's 100 TH/s: 1.2 extra hours at the end.
        Assert.Equal(1.2, s.ExtraHours, 1e-9);
        Assert.Equal(0m, s.Credit);

        // Fees and energy are the day's ledger sums; maintenance is billed on delivered TH·h only.
        Assert.Equal(rows.Sum(r => r.MaintenanceFee), s.MaintenanceFee);
        Assert.Equal(2160m * 0.05m / 24m, s.MaintenanceFee, 6);
        Assert.Equal(rows.Sum(r => r.EnergyKilowattHours), s.EnergyKilowattHours, 1e-9);
    }

    [Fact]
    public void The_same_day_under_credit_terms_pays_the_missing_terahash_hours_at_the_credit_price()
    {
        Contract c = Contract100Th();
        IReadOnlyList<LedgerEntry> rows = DayWithOutage(c, outageStart: Day.AddHours(10), outage: TimeSpan.FromHours(2.4));

        ContractSettlement credit = SettlementCalculator.Settle(c, SettlementTerms.Create(5, MakeGoodKind.Credit, 0.0025m), Day, Day.AddDays(1), rows, 2100, Day.AddDays(1));
        ContractSettlement tolerant = SettlementCalculator.Settle(c, SettlementTerms.Create(10, MakeGoodKind.Credit, 0.0025m), Day, Day.AddDays(1), rows, null, Day.AddDays(1));

        Assert.Equal(120 * 0.0025m, credit.Credit);
        Assert.Equal(0, credit.ExtraHours);
        Assert.Equal(2100, credit.PoolTerahashHours);

        // A 10 % tolerance absorbs a 10 % outage whole.
        Assert.Equal(0m, tolerant.Credit);
        Assert.Equal(0, tolerant.MakeGoodTerahashHours, 1e-6);
    }

    [Fact]
    public void Bad_terms_are_refused_naming_the_field()
    {
        Assert.Equal("settlement.tolerancePercent", Assert.Throws<ContractValidationException>(() => SettlementTerms.Create(80, MakeGoodKind.ExtraHours)).Field);
        Assert.Equal("settlement.creditPerTerahashHour", Assert.Throws<ContractValidationException>(() => SettlementTerms.Create(5, MakeGoodKind.Credit)).Field);
    }

    internal static Contract Contract100Th() => Contract.Create(
        "demo-1",
        "alice",
        Hashrate.FromTerahashes(100),
        PoolAccount.Create("stratum+tcp://braiins.sim:3333", "alice.rig1"),
        ContractTerm.Fixed(Day.AddDays(-1), Day.AddDays(30)),
        FeeTerms.Create(0.05m, electricityAtCost: true));

    /// <summary>The hourly ledger of a day at 100 TH/s delivered every minute except during the outage, energy alike.</summary>
    internal static IReadOnlyList<LedgerEntry> DayWithOutage(Contract c, DateTimeOffset outageStart, TimeSpan outage)
    {
        var ledger = new HourlyLedger(Day, 0.06m);
        double diffPerMinute = c.Target.HashesPerSecond * 60 / DeliveryMeter.HashesPerDifficulty;
        for (DateTimeOffset t = Day; t < Day.AddDays(1); t = t.AddMinutes(1))
        {
            // The outage starts and ends inside minutes in general; the ledger splits work at hour boundaries only.
            double up = MinutesUp(t, outageStart, outage);
            ledger.CreditDelivered(c.Id, t, t.AddMinutes(1), diffPerMinute * up);
            ledger.CreditEnergy(c.Id, t, t.AddMinutes(1), 3250 * up);
        }

        return ledger.CloseCompletedHours(Day.AddDays(1), [c], new Dictionary<string, ContractEnding>());
    }

    private static double MinutesUp(DateTimeOffset minute, DateTimeOffset outageStart, TimeSpan outage)
    {
        DateTimeOffset end = minute.AddMinutes(1), outageEnd = outageStart + outage;
        double down = Math.Max(0, ((end < outageEnd ? end : outageEnd) - (minute > outageStart ? minute : outageStart)).TotalMinutes);
        return 1 - down;
    }
}
