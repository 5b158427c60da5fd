using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ledger;

/// <summary>Open-ended contracts end after N complete days of negative margin at the operator's hashprice and power price.</summary>
public sealed class NegativeMarginRuleTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    // 100 TH·h delivered and 3 kWh per hour: revenue 100/24 × hashprice, cost 3 × price per hour.
    private static IEnumerable<LedgerEntry> Days(int days) =>
        Enumerable.Range(0, days * 24).Select(h => new LedgerEntry("c1", Day0.AddHours(h), 100, 100, 0, 3, 0m, 0m));

    [Theory]
    [InlineData(0.05, 0.06, 3, false)] // 0.2083 revenue vs 0.18 cost an hour: positive
    [InlineData(0.04, 0.06, 3, true)]  // 0.1667 vs 0.18: negative three days running
    [InlineData(0.04, 0.06, 4, false)] // only three days of data: a fourth day is not concluded
    public void Terminates_only_after_n_negative_days(double hashprice, double price, int days, bool expected)
    {
        Assert.Equal(expected, NegativeMarginRule.ShouldTerminate(Days(3), days, (decimal)hashprice, (decimal)price, Day0.AddDays(3).AddHours(1)));
    }

    [Fact]
    public void A_positive_day_breaks_the_run()
    {
        List<LedgerEntry> rows = [.. Days(3)];
        rows[30] = rows[30] with { DeliveredTerahashHours = 2000 }; // day 2 earns a lot in one hour
        Assert.False(NegativeMarginRule.ShouldTerminate(rows, 3, 0.04m, 0.06m, Day0.AddDays(3)));
        Assert.True(NegativeMarginRule.ShouldTerminate(rows, 1, 0.04m, 0.06m, Day0.AddDays(3)));
    }

    [Fact]
    public async Task Engine_ends_an_open_ended_contract_whose_mining_stopped_paying()
    {
        // 100 TH/s at 3 kW: 0.3 a day of revenue at a hashprice of 0.003 per TH/day vs 72 kWh × 0.06 = 4.32 of power.
        await using EngineFarm farm = await EngineFarm.StartAsync(o =>
        {
            o.HashpricePerThDay = 0.003m;
            o.ElectricityPricePerKwh = 0.06m;
        });
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        DateTimeOffset now = farm.Clock.GetUtcNow();
        await farm.Engine.AddContractAsync(new NewContractRequest("c1", "bob", "100 TH/s", "stratum+tcp://p.example:3333", "bob.1", now, null, 1, 0m, true), CancellationToken.None);

        await farm.RunAsync(TimeSpan.FromHours(38), TimeSpan.FromMinutes(5));

        ContractView c1 = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.Equal(ContractStatus.Ended, c1.Status);
        // Day 1 (from 10:00) is the contract's partial first day; day 2 is its first complete, negative one.
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero), HourlyLedger.HourOf(c1.End!.Value));
        Assert.Empty((await farm.Engine.GetAllocationAsync(CancellationToken.None)).Contracts);
    }
}
