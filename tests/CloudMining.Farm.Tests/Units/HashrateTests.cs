using CloudMining.Farm.Shared.Units;
using Xunit;

namespace CloudMining.Farm.Tests.Units;

public class HashrateTests
{
    [Theory]
    [InlineData("110 TH/s", 110e12)]
    [InlineData("13500 GH/s", 13.5e12)]
    [InlineData("95T", 95e12)]
    [InlineData("4683070.74 MH/s", 4683070.74e6)]
    [InlineData("1.5 ph/s", 1.5e15)]
    [InlineData("2 EH/s", 2e18)]
    [InlineData("1e3 GHS", 1e12)]
    [InlineData("42", 42)]
    public void Parses_numbers_with_units_into_hashes_per_second(string text, double expected)
    {
        Assert.True(Hashrate.TryParse(text, out Hashrate h));
        Assert.Equal(expected, h.HashesPerSecond, expected * 1e-12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("12 QH/s")]
    [InlineData("NaN")]
    public void Rejects_text_that_is_not_a_hashrate(string text)
    {
        Assert.False(Hashrate.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Hashrate.Parse(text));
    }

    [Fact]
    public void Formats_in_the_natural_unit()
    {
        Assert.Equal("13.50 TH/s", Hashrate.FromGigahashes(13500).ToString());
        Assert.Equal("950.00 GH/s", Hashrate.FromGigahashes(950).ToString());
        Assert.Equal("13500.0 GH/s", Hashrate.FromTerahashes(13.5).Format(HashrateUnit.GH, 1));
    }

    [Fact]
    public void Arithmetic_keeps_the_unit()
    {
        Hashrate sum = Hashrate.FromTerahashes(10) + Hashrate.FromGigahashes(500);
        Assert.Equal(10.5, sum.TerahashesPerSecond, 9);
        Assert.Equal(2.0, Hashrate.FromTerahashes(20) / Hashrate.FromTerahashes(10), 9);
    }
}
