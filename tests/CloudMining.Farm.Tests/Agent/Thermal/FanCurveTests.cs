using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Shared.Units;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

public sealed class FanCurveTests
{
    private static readonly FanCurve Curve = new([(40, 30), (50, 60), (58, 100)]);

    private static Temperature C(double celsius) => Temperature.FromCelsius(celsius);

    [Theory]
    [InlineData(10, 30)]
    [InlineData(40, 30)]
    [InlineData(45, 45)]
    [InlineData(50, 60)]
    [InlineData(54, 80)]
    [InlineData(58, 100)]
    [InlineData(90, 100)]
    public void Duty_is_interpolated_between_points_and_flat_beyond_them(double celsius, double duty) =>
        Assert.Equal(duty, Curve.DutyAt(C(celsius)), 9);

    [Fact]
    public void A_falling_curve_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new FanCurve([(40, 60), (50, 30)]));
        Assert.Throws<ArgumentException>(() => new FanCurve([(50, 30), (40, 60)]));
    }

    [Fact]
    public void Empty_configuration_uses_the_built_in_curve()
    {
        FanCurve curve = FanCurve.FromOptions([], ThermalOptions.DefaultExhaustCurve);
        Assert.Equal(ThermalOptions.DefaultExhaustCurve, curve.Points);
    }

    [Fact]
    public void Demand_rises_at_once_but_falls_only_past_the_hysteresis()
    {
        var demand = new HysteresisFanDemand(Curve, hysteresisCelsius: 3);

        Assert.Equal(45, demand.Update(C(45))!.Value, 9);
        Assert.Equal(80, demand.Update(C(54))!.Value, 9);   // rising: follows at once
        Assert.Equal(80, demand.Update(C(52))!.Value, 9);   // 2 °C down: inside the band, no change
        Assert.Equal(80, demand.Update(C(51))!.Value, 9);   // exactly 3 °C down: still held
        Assert.Equal(75, demand.Update(C(50))!.Value, 9);   // past the band: taken at 50 + 3 = 53 °C
        Assert.Equal(75, demand.Update(C(51.5))!.Value, 9); // a small rise inside the new band changes nothing
        Assert.Equal(82.5, demand.Update(C(54.5))!.Value, 9); // rising past the held point follows again
    }

    [Fact]
    public void Losing_the_input_forgets_the_held_temperature()
    {
        var demand = new HysteresisFanDemand(Curve, hysteresisCelsius: 3);
        demand.Update(C(54));

        Assert.Null(demand.Update(null));
        Assert.Null(demand.Held);
        Assert.Equal(45, demand.Update(C(45))!.Value, 9);
    }
}
