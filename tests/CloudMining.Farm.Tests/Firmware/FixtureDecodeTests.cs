using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>Every captured miner decodes to the snapshot or the typed error it deserves.</summary>
public sealed class FixtureDecodeTests
{
    /// <summary>What each fixture folder must give: the profile detection picks and either snapshot counts or the error kind, with why.</summary>
    private static readonly Dictionary<string, Expectation> Expected = new(StringComparer.Ordinal)
    {
        // folder: profile, outcome (hashrate5s present, boards, fans, pools) or error — reason
        ["antminer/antminer-b3"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "only a version reply was captured: identity without any reading"),
        ["antminer/antminer-d3"] = Snap("antminer-altcoin", true, 3, 2, 3, "D3 (X11): stats with '}{' between STATS objects (repaired), GHS fields in MH/s"),
        ["antminer/antminer-e3"] = Snap("antminer-altcoin", true, 9, 2, 1, "E3 reports nine chains in stats"),
        ["antminer/antminer-l3"] = Snap("antminer-altcoin", true, 4, 2, 1, "L3+ (scrypt): four chains, GHS fields in MH/s"),
        ["antminer/antminer-l3-2"] = Snap("antminer-altcoin", true, 4, 2, 0, "no pools capture; stats only"),
        ["antminer/antminer-l3-3"] = Error("antminer-altcoin", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/antminer-s17"] = Snap("antminer", true, 3, 4, 3, "S17 stock"),
        ["antminer/antminer-s17-2"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/antminer-s17-pro"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/antminer-s19-mskminer-pyasic"] = Snap("antminer", true, 3, 4, 3, "S19 on mskminer keeps stock stats"),
        ["antminer/antminer-s19-pro"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/antminer-s19-really-cold"] = Snap("antminer", true, 3, 4, 1, "S19 Pro at 20-27 °C: cold but valid temperatures"),
        ["antminer/antminer-s19-sleeping"] = Snap("antminer", true, 2, 4, 3, "sleeping S19 still reports chains"),
        ["antminer/antminer-s9"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/antminer-s9-asicseer"] = Snap("antminer", true, 3, 2, 3, "S9 chains numbered 6, 7, 8"),
        ["antminer/antminer-s9-bad-temps"] = Snap("antminer", true, 3, 2, 2, "stats with '}{' and an escaped newline in Type"),
        ["antminer/antminer-s9-bos"] = Snap("braiins-os", true, 3, 4, 2, "BOSminer: devs + temps + fans, temps and fans concatenated in one capture"),
        ["antminer/antminer-s9-mskminer"] = Snap("antminer", true, 3, 1, 4, "mskminer S9"),
        ["antminer/antminer-s9-nicehash"] = Snap("vnish", true, 3, 2, 4, "Type says vnish: the VNish profile wins over stock"),
        ["antminer/antminer-s9k"] = Snap("antminer", true, 3, 2, 3, "version with trailing garbage '\"}' after the object"),
        ["antminer/antminer-t17-sleeping"] = Snap("antminer", true, 0, 0, 3, "sleeping T17+: all chains and fans report zero, hashrate 0, pools still configured"),
        ["antminer/antminer-z11"] = Snap("antminer", true, 3, 2, 1, "Z11 stats with '}{'"),
        ["antminer/antminer-z9"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/antminer-z9-mini"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/braiins-os-s9"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "old bOS (bmminer, Type braiins-am1-s9), version only"),
        ["antminer/braiins-os-s9-2"] = Error("braiins-os", MinerApiErrorKind.UnsupportedReply, "BOSminer version only"),
        ["antminer/hiveon-s9"] = Error("antminer", MinerApiErrorKind.UnsupportedReply, "Hiveon (bmminer) version only"),
        ["antminer/nicehash"] = Error("vnish", MinerApiErrorKind.UnsupportedReply, "VNish version only"),
        ["antminer/unknown"] = Error("antminer-altcoin", MinerApiErrorKind.UnsupportedReply, "version only"),
        ["antminer/unknown-2"] = Error("braiins-os", MinerApiErrorKind.UnsupportedReply, "BOSminer+ version only"),
        ["antminer/worker-preferred-l3"] = Snap("antminer-altcoin", true, 4, 2, 1, "L3+"),
        ["avalon/avalon-15-194-pyasic"] = Snap("avalon", true, 3, 2, 3, "one MM ID module with per-board MGHS/MTmax vectors: three boards"),
        ["avalon/avalon-7xx"] = Snap("avalon", true, 10, 10, 2, "ten modules, one board and fan each"),
        ["avalon/avalon-8xx"] = Snap("avalon", true, 3, 3, 2, "three modules"),
        ["baikal/baikal-giant"] = Snap("generic-cgminer", true, 8, 0, 8, "sgminer devs + pools, no summary: total from the devices"),
        ["baikal/baikal-not-hashing"] = Error("generic-cgminer", MinerApiErrorKind.MalformedReply, "the captured plain-text pools reply is empty"),
        ["baikal/baikal-x10"] = Snap("generic-cgminer", true, 3, 0, 2, "devs + pools"),
        ["baikal/unknown"] = Snap("generic-cgminer", true, 3, 0, 2, "devs + pools"),
        ["blackminer/blackminer-f1"] = Snap("blackminer", true, 2, 2, 1, "stats with '}{', hashrates as strings"),
        ["blackminer/blackminer-f1-2"] = Snap("generic-cgminer", false, 0, 0, 3, "pools only: nothing to detect from, pools still read"),
        ["blackminer/blackminer-f1-mini"] = Snap("blackminer", true, 1, 2, 1, "one chain"),
        ["blackminer/blackminer-f1-ultra-workername-preferred"] = Snap("blackminer", false, 0, 0, 1, "version + pools"),
        ["blackminer/blackminer-unknown"] = Snap("blackminer", false, 0, 0, 1, "version + pools"),
        ["dayun/unknown"] = Snap("generic-cgminer", false, 0, 0, 3, "Dayun stats use their own keys; generic reads the pools"),
        ["futurebit/unknown"] = Snap("generic-cgminer", true, 1, 0, 1, "bfgminer PGA with MHS 20s"),
        ["honorknight/unknown"] = Snap("generic-cgminer", false, 0, 0, 3, "edevs/stats only, which generic does not read; pools"),
        ["hyperbit/unknown"] = Snap("generic-cgminer", true, 4, 0, 3, "cpuminer devs"),
        ["ibelink/bm-n1max"] = Snap("generic-cgminer", true, 3, 0, 2, "summary + devs + pools"),
        ["ibelink/n1max"] = Snap("generic-cgminer", true, 3, 0, 2, "summary + devs + pools"),
        ["innosilicon/innosilicon-a9-old"] = Snap("innosilicon", true, 3, 0, 2, "STATS0..3 and POOL0..1 sections; the empty STATS3 is no board"),
        ["minerva/unknown"] = Snap("generic-cgminer", true, 0, 0, 0, "summary only"),
        ["spondoolies/unknown"] = Snap("generic-cgminer", true, 0, 0, 2, "summary + pools; stats hold nested json-stats generic does not map"),
        ["strongu/strongu-stu-2"] = Snap("generic-cgminer", true, 3, 0, 3, "pools with a raw newline inside a string, summary with trailing garbage"),
        ["strongu/strongu-stu-2-2"] = Snap("generic-cgminer", false, 0, 0, 3, "pools only"),
        ["whatsminer/unknown"] = Snap("whatsminer", true, 0, 2, 0, "summary with an invalid \\' escape"),
        ["whatsminer/whatsminer-m20s-new-firmware"] = Snap("whatsminer", true, 3, 2, 3, "summary + devs + pools"),
        ["whatsminer/whatsminer-m20s-new-firmware-2"] = Snap("generic-cgminer", false, 0, 0, 2, "pools only: nothing to detect from"),
        ["whatsminer/whatsminer-m20s-new-firmware-worker-preferred"] = Snap("whatsminer", true, 3, 2, 2, "summary + devs + pools"),
        ["whatsminer/whatsminer-m20s-old-firmware"] = Snap("whatsminer", true, 0, 2, 3, "old firmware: summary + stats, no devs"),
        ["whatsminer/whatsminer-m20s-old-firmware-2"] = Snap("generic-cgminer", false, 0, 0, 2, "pools only"),
        ["whatsminer/whatsminer-m21"] = Snap("generic-cgminer", false, 0, 0, 2, "pools only"),
        ["whatsminer/whatsminer-m30s"] = Snap("generic-cgminer", false, 0, 0, 2, "pools only"),
        ["whatsminer/whatsminer-m31s-sleeping"] = Snap("whatsminer", true, 3, 2, 3, "edevs instead of devs"),
    };

    public static TheoryData<string> Folders()
    {
        var data = new TheoryData<string>();
        foreach (string folder in FixtureMiner.Folders())
        {
            data.Add(folder);
        }

        if (data.Count == 0)
        {
            data.Add("(fixtures absent)");
        }

        return data;
    }

    [FixtureTheory]
    [MemberData(nameof(Folders))]
    public void Every_captured_miner_decodes_to_its_expected_snapshot_or_typed_error(string folder)
    {
        Assert.True(Expected.TryGetValue(folder, out Expectation? expected), $"New fixture folder '{folder}': add its expected outcome to the table.");
        (var profile, MinerReadResult result) = FixtureMiner.Decode(folder);

        Assert.Equal(expected.Profile, profile.Name);
        if (expected.Error is MinerApiErrorKind kind)
        {
            Assert.False(result.IsSuccess, $"{folder}: expected {kind} ({expected.Reason}) but got a snapshot");
            Assert.Equal(kind, result.Error.Kind);
            Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
            return;
        }

        Assert.True(result.IsSuccess, $"{folder}: expected a snapshot ({expected.Reason}) but got {result.Error}");
        MinerSnapshot s = result.Snapshot;
        Assert.Equal(expected.Profile, s.Identity.Profile);
        Assert.Equal(expected.HasHashrate, s.Hashrate5s is not null);
        Assert.Equal(expected.Boards, s.Boards.Count);
        Assert.Equal(expected.Fans, s.Fans.Count);
        Assert.Equal(expected.Pools, s.Pools.Count);
        Assert.Empty(s.Warnings);
        Assert.All(s.Pools, p => Assert.False(string.IsNullOrWhiteSpace(p.Url)));
    }

    [FixtureFact]
    public void The_expectation_table_names_only_folders_that_exist()
    {
        string[] folders = [.. FixtureMiner.Folders()];
        Assert.Empty(Expected.Keys.Except(folders));
        Assert.Equal(Expected.Count, folders.Length);
    }

    private static Expectation Snap(string profile, bool hashrate, int boards, int fans, int pools, string reason) =>
        new(profile, null, hashrate, boards, fans, pools, reason);

    private static Expectation Error(string profile, MinerApiErrorKind kind, string reason) =>
        new(profile, kind, false, 0, 0, 0, reason);

    private sealed record Expectation(string Profile, MinerApiErrorKind? Error, bool HasHashrate, int Boards, int Fans, int Pools, string Reason);
}
