using System.Text.Json;
using System.Text.RegularExpressions;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Personalities;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed partial class OtherPersonalityTests
{
    [FixtureTheory]
    [InlineData("whatsminer", "M20S", "whatsminer/whatsminer-m20s-new-firmware", "summary", "SUMMARY", 0)]
    [InlineData("whatsminer", "M20S", "whatsminer/whatsminer-m20s-new-firmware", "devs", "DEVS", 0)]
    [InlineData("whatsminer", "M20S", "whatsminer/whatsminer-m20s-new-firmware", "pools", "POOLS", 0)]
    [InlineData("avalon", "15-194", "avalon/avalon-15-194-pyasic", "version", "VERSION", 0)]
    [InlineData("avalon", "15-194", "avalon/avalon-15-194-pyasic", "devs", "DEVS", 0)]
    [InlineData("avalon", "15-194", "avalon/avalon-15-194-pyasic", "pools", "POOLS", 0)]
    [InlineData("avalon", "15-194", "avalon/avalon-15-194-pyasic", "stats", "STATS", 0)]
    [InlineData("avalon", "15-194", "avalon/avalon-15-194-pyasic", "stats", "STATS", 1)]
    [InlineData("avalon", "15-194", "avalon/avalon-15-194-pyasic", "estats", "STATS", 0)]
    [InlineData("vnish", "Antminer S9", "antminer/antminer-s9-nicehash", "version", "VERSION", 0)]
    [InlineData("vnish", "Antminer S9", "antminer/antminer-s9-nicehash", "stats", "STATS", 0)]
    [InlineData("vnish", "Antminer S9", "antminer/antminer-s9-nicehash", "stats", "STATS", 1)]
    [InlineData("vnish", "Antminer S9", "antminer/antminer-s9-nicehash", "pools", "POOLS", 0)]
    public async Task Reply_has_the_same_keys_as_the_real_firmware(string firmware, string model, string fixture, string command, string section, int index)
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync(firmware, model: model);
        using JsonDocument expected = FixtureShapes.Fixture(fixture, command);
        using JsonDocument actual = FixtureShapes.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, command));

        Assert.Equal(FixtureShapes.Sections(expected), FixtureShapes.Sections(actual));
        SortedSet<string> want = FixtureShapes.Keys(expected, section, index);
        SortedSet<string> got = FixtureShapes.Keys(actual, section, index);
        Assert.True(want.SetEquals(got), FixtureShapes.Diff(want, got));
        Assert.Equal(
            expected.RootElement.GetProperty("STATUS")[0].GetProperty("Description").GetString(),
            actual.RootElement.GetProperty("STATUS")[0].GetProperty("Description").GetString());
    }

    [FixtureFact]
    public async Task Avalon_module_string_has_the_same_items_as_the_real_one()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("avalon", model: "15-194");
        using JsonDocument expected = FixtureShapes.Fixture("avalon/avalon-15-194-pyasic", "stats");
        using JsonDocument actual = FixtureShapes.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "stats"));

        string[] want = ModuleKeys(expected.RootElement.GetProperty("STATS")[0].GetProperty("MM ID0").GetString()!);
        string[] got = ModuleKeys(actual.RootElement.GetProperty("STATS")[0].GetProperty("MM ID0").GetString()!);
        Assert.Equal(want, got);
    }

    [Fact]
    public async Task Avalon_module_string_carries_live_hashrate_and_power()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("avalon", model: "15-194");
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "stats"));
        string mm = doc.RootElement.GetProperty("STATS")[0].GetProperty("MM ID0").GetString()!;

        double ghs = double.Parse(ModuleItem().Match(mm).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ghs, 194_000 * 0.9, 194_000 * 1.1);
        Assert.Matches(@"WALLPOWER\[\d{4}\]", mm);
    }

    [Fact]
    public async Task Whatsminer_summary_carries_power_fans_and_MHS()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("whatsminer", model: "M30S");
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "summary"));
        JsonElement s = doc.RootElement.GetProperty("SUMMARY")[0];

        Assert.InRange(s.GetProperty("MHS 5s").GetDouble(), 86e6 * 0.9, 86e6 * 1.1);
        Assert.InRange(s.GetProperty("Power").GetInt32(), 2500, 3500);
        Assert.True(s.GetProperty("Fan Speed In").GetInt32() > 0);
        Assert.Equal(farm.Miners[0].Identity.Mac, s.GetProperty("MAC").GetString());
    }

    [Fact]
    public async Task Whatsminer_refuses_cgminer_write_commands_even_with_write_access()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("whatsminer", writeAccess: true);
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "switchpool", "1"));

        Assert.Equal(45, doc.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
    }

    [Fact]
    public async Task Avalon_reboots_through_ascset()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("avalon", clock: clock, writeAccess: true);
        SimulatedMiner miner = farm.Miners[0];

        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "ascset", "0,reboot,0"));

        Assert.Equal(119, doc.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
        Assert.True(await Eventually.TrueAsync(() => miner.PowerState == MinerPowerState.Booting, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task LuxOS_version_names_LUXminer_and_power_reports_watts()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("luxos", model: "Antminer S21");
        using JsonDocument version = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "version"));
        using JsonDocument power = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "power"));

        Assert.Equal(["API", "CompileTime", "LUXminer", "Miner", "Type"],
            version.RootElement.GetProperty("VERSION")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("Antminer S21", version.RootElement.GetProperty("VERSION")[0].GetProperty("Type").GetString());
        Assert.InRange(power.RootElement.GetProperty("POWER")[0].GetProperty("Watts").GetInt32(), 3000, 3700);
    }

    [Fact]
    public async Task LuxOS_resetminer_needs_the_session_from_logon()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("luxos", clock: clock, writeAccess: true, permissiveRpcWrites: false);
        SimulatedMiner miner = farm.Miners[0];

        using JsonDocument bad = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "resetminer", "deadbeef"));
        Assert.Equal("E", bad.RootElement.GetProperty("STATUS")[0].GetProperty("STATUS").GetString());
        Assert.Equal("Invalid session id", bad.RootElement.GetProperty("STATUS")[0].GetProperty("Msg").GetString());

        using JsonDocument logon = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "logon"));
        Assert.Equal(316, logon.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
        string session = logon.RootElement.GetProperty("SESSION")[0].GetProperty("SessionID").GetString()!;

        // One session at a time; pool commands take none.
        using JsonDocument second = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "logon"));
        Assert.Equal("E", second.RootElement.GetProperty("STATUS")[0].GetProperty("STATUS").GetString());
        using JsonDocument add = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "addpool", "stratum+tcp://c.example:3333,w,x"));
        Assert.Equal(55, add.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
        Assert.Equal("stratum+tcp://c.example:3333", miner.Snapshot().Pools[2].Url);

        // A session unused for more than a minute has expired.
        clock.Advance(TimeSpan.FromSeconds(61));
        using JsonDocument stale = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "resetminer", session));
        Assert.Equal("Invalid session id", stale.RootElement.GetProperty("STATUS")[0].GetProperty("Msg").GetString());

        using JsonDocument again = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "logon"));
        session = again.RootElement.GetProperty("SESSION")[0].GetProperty("SessionID").GetString()!;
        using JsonDocument reset = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "resetminer", session));
        Assert.Equal("S", reset.RootElement.GetProperty("STATUS")[0].GetProperty("STATUS").GetString());
        Assert.True(await Eventually.TrueAsync(() => miner.PowerState == MinerPowerState.Booting, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Generic_cgminer_reports_one_ASC_per_board_in_MHS()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("generic-cgminer");
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "summary+devs"));

        Assert.Equal(3, doc.RootElement.GetProperty("devs")[0].GetProperty("DEVS").GetArrayLength());
        double mhs = doc.RootElement.GetProperty("summary")[0].GetProperty("SUMMARY")[0].GetProperty("MHS 5s").GetDouble();
        Assert.InRange(mhs, 100e6 * 0.9, 100e6 * 1.1);
    }

    [Theory]
    [InlineData("antminer")]
    [InlineData("braiins-os")]
    [InlineData("whatsminer")]
    [InlineData("avalon")]
    [InlineData("luxos")]
    [InlineData("vnish")]
    [InlineData("generic-cgminer")]
    public async Task Every_read_command_of_every_model_answers_success(string firmware)
    {
        FirmwarePersonality personality = PersonalityCatalog.Get(firmware);
        foreach (MinerModel model in personality.Models)
        {
            await using SimulatedFarm farm = await TestFarms.StartAsync(firmware, model: model.Name);
            foreach (string command in personality.ReadCommands)
            {
                string raw = await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, command);
                using JsonDocument doc = FixtureShapes.Parse(raw);
                Assert.Equal("S", doc.RootElement.GetProperty("STATUS")[0].GetProperty("STATUS").GetString());
            }
        }
    }

    private static string[] ModuleKeys(string module) =>
        ModuleKey().Matches(module).Select(m => m.Groups[1].Value).ToArray();

    [GeneratedRegex(@"(?:^| )([A-Za-z_0-9]+)\[")]
    private static partial Regex ModuleKey();

    [GeneratedRegex(@"GHSspd\[([0-9.]+)\]")]
    private static partial Regex ModuleItem();
}
