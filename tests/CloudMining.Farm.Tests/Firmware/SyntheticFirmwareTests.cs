using System.Text;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>Firmwares the team has no capture of yet (LuxOS, btminer's own version reply), from replies written after their public API docs.</summary>
public sealed class SyntheticFirmwareTests
{
    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    [Fact]
    public void LuxOS_is_detected_from_its_version_and_decoded_from_summary_stats_power_and_fans()
    {
        string multi = """
            {"version":[{"STATUS":[{"STATUS":"S","When":1726000000,"Code":22,"Msg":"LUXminer versions","Description":"LUXminer 2024.9.17.174900-4631c4d1"}],"VERSION":[{"API":"3.7","LUXminer":"2024.9.17.174900-4631c4d1","Miner":"2024.9.17.174900","Type":"Antminer S19"}],"id":1}],
             "summary":[{"STATUS":[{"STATUS":"S","When":1726000000,"Code":11,"Msg":"Summary","Description":"LUXminer"}],"SUMMARY":[{"Elapsed":3600,"GHS 5s":95123.4,"GHS av":94800.0,"Hardware Errors":12}],"id":1}],
             "stats":[{"STATUS":[{"STATUS":"S","When":1726000000,"Code":70,"Msg":"CGMiner stats","Description":"LUXminer"}],"STATS":[{"Type":"Antminer S19"},{"STATS":0,"Elapsed":3600,"total_rateideal":95000.0,"chain_acn1":76,"chain_acn2":76,"chain_acn3":0,"chain_rate1":"47600.5","chain_rate2":"47522.9","chain_rate3":"","temp1":55,"temp2":57,"temp2_1":71,"temp2_2":73,"chain_hw1":5,"chain_hw2":7}],"id":1}],
             "pools":[{"STATUS":[{"STATUS":"S","When":1726000000,"Code":7,"Msg":"1 Pool(s)","Description":"LUXminer"}],"POOLS":[{"POOL":0,"URL":"stratum+tcp://btc.global.luxor.tech:700","User":"acct.w1","Status":"Alive","Priority":0,"Quota":1,"Stratum Active":true,"Accepted":120,"Rejected":1,"Stale":0,"Difficulty Accepted":4915200.0,"Difficulty Rejected":40960.0,"Difficulty Stale":0.0,"Last Share Time":1725999990}],"id":1}],
             "power":[{"STATUS":[{"STATUS":"S","When":1726000000,"Code":300,"Msg":"Power","Description":"LUXminer"}],"POWER":[{"PSU":true,"Watts":3150}],"id":1}],
             "fans":[{"STATUS":[{"STATUS":"S","When":1726000000,"Code":202,"Msg":"4 Fan(s)","Description":"LUXminer"}],"FANS":[{"FAN":0,"ID":0,"RPM":4200,"Speed":60},{"FAN":1,"ID":1,"RPM":4260,"Speed":60}],"id":1}],
             "id":1}
            """;
        using ApiReplySet set = ReplyParser.Parse(Encoding.UTF8.GetBytes(multi), "version+summary+stats+pools+power+fans");

        FirmwareProfile profile = new FirmwareDetector(Catalog).Detect(set.Results);
        MinerReadResult result = SnapshotDecoder.Decode(profile, set.Results);

        Assert.Equal("luxos", profile.Name);
        Assert.True(profile.MultiCommand);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        MinerSnapshot s = result.Snapshot;
        Assert.Equal(95123.4e9, s.Hashrate5s!.Value.HashesPerSecond, 1e-2);
        Assert.Equal(95000e9, s.HashrateNominal!.Value.HashesPerSecond, 1e-2);
        Assert.Equal(3150, s.Power?.Watts);
        Assert.Equal([1, 2], s.Boards.Select(b => b.Index));
        Assert.Equal([71.0, 73.0], s.Boards.Select(b => b.ChipTemperature!.Value.Celsius));
        Assert.Equal([4200, 4260], s.Fans.Select(f => f.Rpm));
        Assert.Equal(4915200.0, s.Pools[0].DifficultyAccepted);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1725999990), s.Pools[0].LastShareTime);
    }

    [Fact]
    public void Whatsminer_is_detected_from_btminer_version_reply_with_a_top_level_status()
    {
        using ApiReplySet set = ReplyParser.Parse(
            """{"STATUS":"S","When":1606354856,"Code":131,"Msg":{"api_ver":"whatsminer v1.4.0","fw_ver":"20210322.22.REL"},"Description":""}"""u8.ToArray(),
            "version");

        Assert.Equal("whatsminer", new FirmwareDetector(Catalog).Detect(set.Results).Name);
    }

    [Fact]
    public void Nothing_recognisable_falls_back_to_generic_cgminer()
    {
        using ApiReplySet set = ReplyParser.Parse("""{"STATUS":[{"STATUS":"S","When":1,"Code":22,"Msg":"versions","Description":"cgminer 4.11.1"}],"VERSION":[{"CGMiner":"4.11.1","API":"3.7"}],"id":1}"""u8.ToArray(), "version");

        var detector = new FirmwareDetector(Catalog);

        Assert.Null(detector.TryDetect(set.Results));
        Assert.Equal("generic-cgminer", detector.Detect(set.Results).Name);
        Assert.Equal("version", detector.ProbeCommands[0]);
    }

    [Fact]
    public void Required_command_failure_fails_the_read_and_optional_failures_become_warnings()
    {
        FirmwareProfile profile = FirmwareProfileCatalog.Parse("""
            name: strict
            read:
              commands: [summary, pools]
              required: [summary]
            totals:
              hashrate5s: [{ at: "summary:SUMMARY.MHS 5s", unit: MH }]
            pools:
              at: "pools:POOLS"
            """, "strict.yaml");
        using ApiReplySet good = ReplyParser.Parse("""{"STATUS":[{"STATUS":"S","When":1}],"SUMMARY":[{"MHS 5s":"2.5"}]}"""u8.ToArray(), "summary");
        using ApiReplySet odd = ReplyParser.Parse("""{"STATUS":[{"STATUS":"S","When":1}],"SUMMARY":[{"MHS 5s":"abc"}]}"""u8.ToArray(), "summary");
        using ApiReplySet bad = ReplyParser.Parse("""{"STATUS":[{"STATUS":"E","When":1,"Code":14,"Msg":"Invalid command"}]}"""u8.ToArray(), "pools");
        using ApiReplySet fatal = ReplyParser.Parse(""u8.ToArray(), "summary");

        MinerReadResult degraded = SnapshotDecoder.Decode(profile, [good.First, bad.First]);
        MinerReadResult useless = SnapshotDecoder.Decode(profile, [odd.First, bad.First]);
        MinerReadResult failed = SnapshotDecoder.Decode(profile, [fatal.First, bad.First]);

        Assert.True(degraded.IsSuccess, degraded.Error?.ToString());
        Assert.Equal(2.5e6, degraded.Snapshot.Hashrate5s?.HashesPerSecond);
        Assert.Contains(degraded.Snapshot.Warnings, w => w.StartsWith("pools: CommandError", StringComparison.Ordinal));
        Assert.False(useless.IsSuccess); // the only mapped value is not a number: nothing to show
        Assert.Equal(MinerApiErrorKind.UnsupportedReply, useless.Error.Kind);
        Assert.False(failed.IsSuccess);
        Assert.Equal(MinerApiErrorKind.MalformedReply, failed.Error.Kind);
        Assert.Equal("summary", failed.Error.Command);
    }
}
