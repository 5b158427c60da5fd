using System.Text.Json;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class BraiinsOsPersonalityTests
{
    [FixtureTheory]
    [InlineData("summary", "SUMMARY")]
    [InlineData("pools", "POOLS")]
    [InlineData("devs", "DEVS")]
    [InlineData("temps", "TEMPS")]
    [InlineData("fans", "FANS")]
    [InlineData("version", "VERSION")]
    public async Task Reply_has_the_same_keys_as_BOSminer(string command, string section)
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("braiins-os", model: "Antminer S9");
        using JsonDocument expected = FixtureShapes.Fixture("antminer/antminer-s9-bos", command);
        string raw = await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, command);
        using JsonDocument actual = FixtureShapes.Parse(raw);

        Assert.Equal(FixtureShapes.Sections(expected), FixtureShapes.Sections(actual));
        SortedSet<string> want = FixtureShapes.Keys(expected, section);
        SortedSet<string> got = FixtureShapes.Keys(actual, section);
        Assert.True(want.SetEquals(got), FixtureShapes.Diff(want, got));
        Assert.Equal(
            expected.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32(),
            actual.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
    }

    [Fact]
    public async Task Hashrate_is_in_MHs_and_keys_are_sorted_like_BOSminer()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("braiins-os", model: "Antminer S9");
        using JsonDocument doc = FixtureShapes.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "summary"));

        JsonElement s = doc.RootElement.GetProperty("SUMMARY")[0];
        Assert.InRange(s.GetProperty("MHS 5s").GetDouble(), 13.5e6 * 0.9, 13.5e6 * 1.1);
        string[] keys = s.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task BOSminer_reply_has_no_trailing_NUL()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("braiins-os");
        byte[] reply = await MinerWire.ExchangeAsync(farm.Miners[0].ListenEndPoint, "{\"command\":\"version\"}");

        Assert.Equal((byte)'}', reply[^1]);
    }
}
