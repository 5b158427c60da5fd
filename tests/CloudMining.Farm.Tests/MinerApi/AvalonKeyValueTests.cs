using CloudMining.Farm.Shared.MinerApi;
using Xunit;

namespace CloudMining.Farm.Tests.MinerApi;

/// <summary>Avalon's "Key[value value]" module strings.</summary>
public sealed class AvalonKeyValueTests
{
    private const string Module = "Ver[8411803-14b0f10] DNA[0137dace492a2ec1] Elapsed[66] MW[18528 18830 19159 17631] Temp[36] TMax[84] Fan[5730] FanR[100%] GHSmm[13646.20] SYSTEMSTATU[Work: In Work, Hash Board: 3 ] PVT_T0[ 66  65  63]";

    [Fact]
    public void Parse_gives_every_key_with_its_values()
    {
        IReadOnlyDictionary<string, string[]> kv = AvalonKeyValue.Parse(Module);
        Assert.Equal(["8411803-14b0f10"], kv["Ver"]);
        Assert.Equal(["36"], kv["Temp"]);
        Assert.Equal(["18528", "18830", "19159", "17631"], kv["MW"]);
        Assert.Equal(["13646.20"], kv["ghsmm"]);
        Assert.Equal(["66", "65", "63"], kv["PVT_T0"]);
        Assert.Equal(["Work:", "In", "Work,", "Hash", "Board:", "3"], kv["SYSTEMSTATU"]);
    }

    [Fact]
    public void ReadNumbers_reads_vectors_and_percentages_without_allocating_strings()
    {
        Span<double> values = stackalloc double[8];
        Assert.Equal(4, AvalonKeyValue.ReadNumbers(Module, "MW", values));
        Assert.Equal(19159, values[2]);
        Assert.Equal(1, AvalonKeyValue.ReadNumbers(Module, "FanR", values));
        Assert.Equal(100, values[0]);
        Assert.Equal(0, AvalonKeyValue.ReadNumbers(Module, "Ver2", values));
    }

    [Fact]
    public void Prefix_of_a_key_does_not_match_a_longer_key()
    {
        Assert.True(AvalonKeyValue.TryGetRaw(Module, "Fan", out ReadOnlySpan<char> raw));
        Assert.Equal("5730", raw.ToString());
        Assert.False(AvalonKeyValue.TryGetRaw("FanR[10%]", "Fan", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no brackets at all")]
    [InlineData("Open[never closed")]
    [InlineData("[nameless] ]][[")]
    public void Odd_text_gives_no_keys_and_no_exception(string text)
    {
        Assert.Empty(AvalonKeyValue.Parse(text));
    }
}
