using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Control;
using CloudMining.Farm.Tests.Simulator;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>
/// Each firmware's serial number read where its profile says (identity.serial), against the simulator that gives it
/// where the real firmware does: Avalon's version DNA, LuxOS's config SerialNumber, btminer's get_miner_info minersn;
/// stock Antminer, VNish and Braiins OS give none on the cgminer API, so none is read here (never a stand-in); the
/// agent reads theirs through their web or gRPC channel (SerialSourceTests, MinerSerialServiceTests).
/// </summary>
public sealed class SerialNumberTests
{
    [Theory]
    [InlineData("avalon", true)]
    [InlineData("luxos", true)]
    [InlineData("whatsminer", true)]
    [InlineData("whatsminer-v3", true)]
    [InlineData("antminer", false)]
    [InlineData("vnish", false)]
    [InlineData("braiins-os", false)]
    [InlineData("generic-cgminer", false)]
    public async Task The_profile_reads_the_serial_the_firmware_gives_and_none_where_it_gives_none(string firmware, bool gives)
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync(firmware, miners: 2);
        var reader = new MinerReader(FixtureMiner.Catalog, new MinerApiClient(new MinerApiClientOptions { ReadTimeout = TimeSpan.FromSeconds(5) }));
        var serials = new List<string?>();
        foreach (SimulatedMiner miner in farm.Miners)
        {
            MinerInfo info = MinerInfo.From(miner);
            MinerReadResult read = await reader.ReadAsync(new MinerEndpoint(info.Host, info.Port), FirmwareProfileCatalog.Auto, CancellationToken.None);

            Assert.True(read.IsSuccess, read.Error?.ToString());
            Assert.Equal(gives ? info.Serial : null, info.ApiSerial);
            Assert.Equal(info.ApiSerial, MinerSerial.Normalize(read.Snapshot.Identity.Serial));
            serials.Add(MinerSerial.Normalize(read.Snapshot.Identity.Serial));
        }

        if (gives)
        {
            Assert.Equal(2, serials.Distinct().Count());
        }
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("N/A", null)]
    [InlineData("unknown", null)]
    [InlineData("0000000000", null)]
    [InlineData("ab\u0007cd", null)]
    [InlineData(" JYZZD4BBCJCAJ0ABC ", "JYZZD4BBCJCAJ0ABC")]
    [InlineData("'ZMS2EB00000000012345'", "ZMS2EB00000000012345")]
    public void A_placeholder_or_garbled_serial_is_none_and_shows_as_unknown(string? raw, string? expected)
    {
        Assert.Equal(expected, MinerSerial.Normalize(raw));
        Assert.Equal(expected ?? "unknown", MinerSerial.Show(MinerSerial.Normalize(raw)));
        Assert.Null(MinerSerial.Normalize(new string('A', MinerStatePayload.MaxSerialChars + 1)));
    }
}
