using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>Loading and validating profiles: every shipped profile loads; broken ones say file, key and fix.</summary>
public sealed class FirmwareProfileCatalogTests : IDisposable
{
    private const string Minimal = """
        name: acme
        read:
          commands: [summary, pools]
        totals:
          hashrate5s: [{ at: "summary:SUMMARY.MHS 5s", unit: MH }]
        pools:
          at: "pools:POOLS"
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("farm-profiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Shipped_profiles_all_load_with_generic_cgminer_as_fallback()
    {
        FirmwareProfileCatalog catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

        string[] names = [.. catalog.Profiles.Select(p => p.Name)];
        foreach (string required in new[] { "generic-cgminer", "antminer", "braiins-os", "whatsminer", "avalon", "luxos", "vnish" })
        {
            Assert.Contains(required, names);
        }

        Assert.Equal("generic-cgminer", catalog.Fallback.Name);
        Assert.Equal(catalog.Profiles.Select(p => p.DetectPriority).OrderDescending(), catalog.Profiles.Select(p => p.DetectPriority));
    }

    [Fact]
    public void Shipped_profiles_define_pool_actions_where_the_firmware_supports_them()
    {
        FirmwareProfileCatalog catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

        Assert.True(catalog.Get("generic-cgminer").Supports(ProfileAction.SetQuota));
        FirmwareProfile stock = catalog.Get("antminer");
        Assert.True(stock.CanSetPools);
        Assert.False(stock.CanSetQuota); // the web CGI's configuration has no quotas
        Assert.False(stock.Supports(ProfileAction.AddPool)); // its cgminer API refuses writes: pools go through the web channel
        Assert.Equal(CloudMining.Farm.Shared.Firmware.Channels.WriteChannelKind.BitmainWeb, stock.Route(CloudMining.Farm.Shared.Firmware.Channels.MinerOperation.SetPools)?.Channel);
        Assert.False(catalog.Get("braiins-os").Supports(ProfileAction.SetQuota)); // quotas are per pool group there
        Assert.False(catalog.Get("whatsminer").Supports(ProfileAction.AddPool));  // needs btminer's token API
        FirmwareProfile lux = catalog.Get("luxos");
        Assert.Equal("logon", lux.Session?.Command);
        ActionStep restart = Assert.Single(lux.Actions[ProfileAction.Restart]);
        Assert.Equal("abc123", restart.Render(new Dictionary<string, string> { ["session"] = "abc123" }));
        ActionStep add = Assert.Single(catalog.Get("antminer").Actions[ProfileAction.AddPool]);
        Assert.Equal("stratum+tcp://p:3333,w.1,x", add.Render(new Dictionary<string, string> { ["url"] = "stratum+tcp://p:3333", ["user"] = "w.1", ["password"] = "x" }));
    }

    [Fact]
    public void Multi_command_request_joins_the_read_commands()
    {
        FirmwareProfile p = FirmwareProfileCatalog.Parse(Minimal.Replace("commands: [summary, pools]", "commands: [summary, pools]\n  multiCommand: true", StringComparison.Ordinal), "acme.yaml");
        Assert.True(p.MultiCommand);
        Assert.Equal("summary+pools", p.MultiCommandRequest);
    }

    [Theory]
    [InlineData("name: other", "name", "rename the file")]
    [InlineData("unit: MH", "totals.hashrate5s[0].unit", "not a hashrate unit", "unit: MHZ")]
    [InlineData("\"summary:SUMMARY.MHS 5s\"", "totals.hashrate5s[0].at", "command:SECTION.Key", "\"summary.SUMMARY\"")]
    [InlineData("\"pools:POOLS\"", "pools.at", "is not in read.commands", "\"devs:DEVS\"")]
    [InlineData("commands: [summary, pools]", "read.commands", "multiCommand", "commands: [summary+pools]")]
    public void Invalid_profile_names_file_key_and_fix(string find, string key, string fix, string? replace = null)
    {
        string yaml = replace is null ? Minimal.Replace("name: acme", find, StringComparison.Ordinal) : Minimal.Replace(find, replace, StringComparison.Ordinal);

        var ex = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(yaml, "firmware-profiles/acme.yaml"));

        Assert.Equal("firmware-profiles/acme.yaml", ex.File);
        Assert.Equal(key, ex.Key);
        Assert.Contains(fix, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_is_a_yaml_error_with_line_number()
    {
        var ex = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(Minimal + "\nhashrat5s: 1\n", "acme.yaml"));
        Assert.StartsWith("line ", ex.Key, StringComparison.Ordinal);
        Assert.Contains("hashrat5s", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("addPool: [{ command: addpool, parameter: \"{url},{index}\" }]", "{index} is not available to addPool")]
    [InlineData("restart: [{ command: resetminer, parameter: \"{session}\" }]", "no 'actions.session'")]
    [InlineData("switchPool: []", "an empty list")]
    [InlineData("setQuota: [{ parameter: \"{index},{quota}\" }]", "name the API command")]
    public void Invalid_action_sequences_are_refused_at_load(string action, string problem)
    {
        string yaml = Minimal + "\nactions:\n  " + action + "\n";
        var ex = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(yaml, "acme.yaml"));
        Assert.StartsWith("actions.", ex.Key, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_without_generic_cgminer_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "acme.yaml"), Minimal);
        var ex = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Load(_dir));
        Assert.Contains("generic-cgminer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_firmware_is_a_new_file_detected_without_code()
    {
        foreach (string file in Directory.EnumerateFiles(RepoPaths.FirmwareProfiles, "*.yaml"))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(_dir, "acme.yaml"), Minimal + "\ndetect:\n  priority: 99\n  any:\n    - { command: summary, key: Description, contains: acmeminer }\n");
        FirmwareProfileCatalog catalog = FirmwareProfileCatalog.Load(_dir);
        using var set = CloudMining.Farm.Shared.MinerApi.ReplyParser.Parse(
            """{"STATUS":[{"STATUS":"S","When":1600000000,"Code":11,"Msg":"Summary","Description":"acmeminer 1.0"}],"SUMMARY":[{"MHS 5s":2000000}],"id":1}"""u8.ToArray(), "summary");

        FirmwareProfile detected = new FirmwareDetector(catalog).Detect(set.Results);
        var result = SnapshotDecoder.Decode(detected, set.Results);

        Assert.Equal("acme", detected.Name);
        Assert.True(result.IsSuccess);
        Assert.Equal(2e12, result.Snapshot.Hashrate5s?.HashesPerSecond);
    }

    [Fact]
    public void Locator_prefers_the_explicit_directory_then_the_environment()
    {
        Assert.Equal(Path.GetFullPath(_dir), FirmwareProfileLocator.Resolve(_dir));
        Assert.True(Directory.Exists(FirmwareProfileLocator.Resolve()));
    }
}
