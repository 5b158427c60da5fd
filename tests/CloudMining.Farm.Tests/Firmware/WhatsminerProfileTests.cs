using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>The Whatsminer profiles route their writes to the v2 / v3 channels; the v3 one is told apart by the firmware date; the new keys are checked.</summary>
public sealed class WhatsminerProfileTests
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

    [Fact]
    public void Whatsminer_profiles_route_every_operation_to_their_api_version_and_can_be_sold_without_quotas()
    {
        FirmwareProfileCatalog catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);
        foreach ((string name, WriteChannelKind channel, string user) in new[] { ("whatsminer", WriteChannelKind.WhatsminerV2, "admin"), ("whatsminer-v3", WriteChannelKind.WhatsminerV3, "super") })
        {
            FirmwareProfile p = catalog.Get(name);
            Assert.All(Enum.GetValues<MinerOperation>(), op => Assert.Equal(channel, p.Route(op)?.Channel));
            Assert.True(p.CanSetPools);
            Assert.False(p.CanSetQuota);
            Assert.False(p.Supports(ProfileAction.AddPool));
            Assert.Equal((user, user), (p.Web.DefaultUser, p.Web.VendorDefaultPassword));
        }

        Assert.Equal(4433, catalog.Get("whatsminer-v3").ChannelPort(WriteChannelKind.WhatsminerV3));
        Assert.Null(catalog.Get("whatsminer").ChannelPort(WriteChannelKind.WhatsminerV3));
        Assert.Equal(("power_off", "respbefore", "true"), (catalog.Get("whatsminer").Route(MinerOperation.Pause)!.Command, catalog.Get("whatsminer").Route(MinerOperation.Pause)!.Field, catalog.Get("whatsminer").Route(MinerOperation.Pause)!.Value));
    }

    [Fact]
    public void The_v3_profile_is_detected_by_a_firmware_date_from_november_2024_on()
    {
        var detector = new FirmwareDetector(FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles));

        foreach ((string version, string expected) in new[] { ("'20241105.16.REL'", "whatsminer-v3"), ("'20251209.16.Rel2'", "whatsminer-v3"), ("'20241031.11.REL'", "whatsminer"), ("'20200917.22.REL'", "whatsminer") })
        {
            using ApiReplySet set = Summary(version);
            Assert.Equal(expected, detector.TryDetect(set.Results)?.Name);
        }
    }

    [Fact]
    public void Bad_ports_dates_and_whatsminer_routes_are_refused_naming_the_key()
    {
        var port = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(Minimal + "\nports:\n  whatsminer-v3: 70000\n", "acme.yaml"));
        Assert.Contains("ports.whatsminer-v3", port.Message, StringComparison.Ordinal);
        var channel = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(Minimal + "\nports:\n  whatsminer-v9: 4433\n", "acme.yaml"));
        Assert.Contains("whatsminer-v9", channel.Message, StringComparison.Ordinal);
        var date = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(Minimal + "\ndetect:\n  any:\n    - { command: summary, section: SUMMARY, key: Firmware Version, dateAtLeast: 2024 }\n", "acme.yaml"));
        Assert.Contains("dateAtLeast", date.Message, StringComparison.Ordinal);
        var route = Assert.Throws<FirmwareProfileException>(() => FirmwareProfileCatalog.Parse(Minimal + "\noperations:\n  reboot: { channel: whatsminer-v2 }\n", "acme.yaml"));
        Assert.Contains("operations.reboot.command", route.Message, StringComparison.Ordinal);
    }

    private static ApiReplySet Summary(string version)
    {
        string json = "{\"STATUS\":[{\"STATUS\":\"S\",\"When\":1,\"Code\":11,\"Msg\":\"Summary\",\"Description\":\"cgminer 4.9.2\"}],\"SUMMARY\":[{\"Elapsed\":10,\"MHS 5s\":1.0,\"Fan Speed In\":3000,\"Firmware Version\":\"" + version + "\"}],\"id\":1}";
        return ReplyParser.Parse(System.Text.Encoding.UTF8.GetBytes(json), "summary");
    }
}
