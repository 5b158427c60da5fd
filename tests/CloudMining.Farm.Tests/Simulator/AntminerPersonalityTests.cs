using System.Text.Json;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class AntminerPersonalityTests
{
    [FixtureTheory]
    [InlineData("Antminer S17 Pro", "antminer/antminer-s17", "stats", "STATS", 0)]
    [InlineData("Antminer S17 Pro", "antminer/antminer-s17", "stats", "STATS", 1)]
    [InlineData("Antminer S17 Pro", "antminer/antminer-s17", "pools", "POOLS", 0)]
    [InlineData("Antminer S17 Pro", "antminer/antminer-s17", "version", "VERSION", 0)]
    [InlineData("Antminer S19 Pro", "antminer/antminer-s19-really-cold", "stats", "STATS", 0)]
    [InlineData("Antminer S19 Pro", "antminer/antminer-s19-really-cold", "stats", "STATS", 1)]
    [InlineData("Antminer S19 Pro", "antminer/antminer-s19-really-cold", "pools", "POOLS", 0)]
    [InlineData("Antminer S19 Pro", "antminer/antminer-s19-really-cold", "version", "VERSION", 0)]
    [InlineData("Antminer S9", "antminer/antminer-s9-bad-temps", "stats", "STATS", 0)]
    [InlineData("Antminer S9", "antminer/antminer-s9-bad-temps", "stats", "STATS", 1)]
    [InlineData("Antminer S9", "antminer/antminer-s9-bad-temps", "pools", "POOLS", 0)]
    [InlineData("Antminer S9", "antminer/antminer-s9", "version", "VERSION", 0)]
    public async Task Reply_has_the_same_keys_as_the_real_firmware(string model, string fixture, string command, string section, int index)
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", model: model);
        using JsonDocument expected = FixtureShapes.Fixture(fixture, command);
        using JsonDocument actual = FixtureShapes.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, command));

        Assert.Equal(FixtureShapes.Sections(expected), FixtureShapes.Sections(actual));
        SortedSet<string> want = FixtureShapes.Keys(expected, section, index);
        SortedSet<string> got = FixtureShapes.Keys(actual, section, index);
        Assert.True(want.SetEquals(got), FixtureShapes.Diff(want, got));
    }

    [FixtureFact]
    public async Task Status_block_matches_the_firmware_strings()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", model: "Antminer S17 Pro");
        using JsonDocument expected = FixtureShapes.Fixture("antminer/antminer-s17", "stats");
        using JsonDocument actual = FixtureShapes.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "stats"));

        JsonElement e = expected.RootElement.GetProperty("STATUS")[0];
        JsonElement a = actual.RootElement.GetProperty("STATUS")[0];
        foreach (string key in new[] { "STATUS", "Code", "Msg", "Description" })
        {
            Assert.Equal(e.GetProperty(key).ToString(), a.GetProperty(key).ToString());
        }
    }

    [Fact]
    public async Task Summary_reports_hashrate_in_GHs_near_nominal()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", model: "Antminer S19 Pro");
        using JsonDocument doc = FixtureShapes.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "summary"));

        JsonElement s = doc.RootElement.GetProperty("SUMMARY")[0];
        double ghs5s = double.Parse(s.GetProperty("GHS 5s").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ghs5s, 110_000 * 0.9, 110_000 * 1.1);
        Assert.Equal(11, doc.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
    }

    [Fact]
    public async Task Stock_S9_stats_keep_the_missing_comma_between_objects()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", model: "Antminer S9");
        string raw = await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "stats");

        Assert.Contains("\"Type\":\"Antminer S9\"}{\"STATS\":0", raw, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(raw));
    }
}
