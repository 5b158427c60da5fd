using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller;

public class CapacityCalculatorTests
{
    private static readonly CapacityCalculator Calculator = new(new CapacityOptions
    {
        UnitSize = Hashrate.FromTerahashes(10),
        ReservePercent = 10,
        ReserveAbsolute = Hashrate.FromTerahashes(20),
    });

    [Fact]
    public void Capacity_counts_only_measured_healthy_undrained_hashrate_minus_the_reserve()
    {
        List<Miner> fleet =
        [
            Miner("a", "r1", "p1", 100),
            Miner("b", "r1", "p1", 100),
            Miner("c", "r1", "p2", 100, drained: true),
            Miner("d", "r2", "p1", 100, health: MinerHealth.Offline),
            Miner("e", "r2", "p1", 100, health: MinerHealth.Degraded),
            Miner("f", "r2", "p2", 55),
        ];

        CapacitySnapshot cap = Calculator.Compute(fleet, []);

        // 255 measured healthy; reserve 10 % (25.5) + 20 = 45.5; 209.5 sellable = 20 whole units of 10 TH/s.
        Assert.Equal(255, cap.MeasuredHealthy.TerahashesPerSecond, 6);
        Assert.Equal(45.5, cap.Reserve.TerahashesPerSecond, 6);
        Assert.Equal(20, cap.UnitsTotal);
        Assert.Equal(0, cap.UnitsSold);
        Assert.Equal(20, cap.UnitsFree);
    }

    [Fact]
    public void Sold_contracts_occupy_whole_units_rounded_up()
    {
        List<Miner> fleet = Fleet(1, 5);
        CapacitySnapshot cap = Calculator.Compute(fleet, [Contract("c1", 100), Contract("c2", 15)]);

        // 500 measured − (50 + 20) = 430 → 43 units; 100 TH/s = 10 units, 15 TH/s occupies 2.
        Assert.Equal(43, cap.UnitsTotal);
        Assert.Equal(12, cap.UnitsSold);
        Assert.Equal(31, cap.UnitsFree);
        Assert.Equal(310, cap.FreeHashrate.TerahashesPerSecond, 6);
    }

    [Fact]
    public void Selling_beyond_capacity_is_refused_with_the_free_amount_in_units_and_terahashes()
    {
        CapacitySnapshot cap = Calculator.Compute(Fleet(1, 5), [Contract("c1", 300)]);

        var ex = Assert.Throws<CapacityExceededException>(() => Calculator.EnsureSellable(cap, Hashrate.FromTerahashes(200)));

        Assert.Equal(20, ex.UnitsRequested);
        Assert.Equal(13, ex.UnitsFree);
        Assert.Equal(130, ex.FreeHashrate.TerahashesPerSecond, 6);
        Assert.Contains("only 13 unit(s) (130.00 TH/s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Selling_exactly_the_free_units_is_allowed()
    {
        CapacitySnapshot cap = Calculator.Compute(Fleet(1, 5), [Contract("c1", 300)]);

        Calculator.EnsureSellable(cap, Hashrate.FromTerahashes(130));

        Assert.Throws<CapacityExceededException>(() => Calculator.EnsureSellable(cap, Hashrate.FromTerahashes(131)));
    }

    [Fact]
    public void Failures_after_selling_show_as_oversubscribed_units_and_nothing_free()
    {
        List<Miner> fleet = Fleet(1, 5).With(m => m.Id is "r1-m01" or "r1-m02", m => m with { Health = MinerHealth.Offline });

        CapacitySnapshot cap = Calculator.Compute(fleet, [Contract("c1", 300)]);

        // 300 measured − 50 = 250 → 25 units, 30 sold.
        Assert.Equal(25, cap.UnitsTotal);
        Assert.Equal(0, cap.UnitsFree);
        Assert.Equal(5, cap.UnitsOversubscribed);
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_option()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new CapacityCalculator(new CapacityOptions { ReservePercent = 120 }));
        Assert.Equal("ReservePercent", ex.ParamName);
    }
}
