using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Tests.Firmware;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Cli;

/// <summary>`farm-agent decode`: tables or JSON for a good capture, a typed error and a non-zero exit for a bad one, never a crash.</summary>
public sealed class DecodeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-decode-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("summary.json", "summary")]
    [InlineData("pools_summary_stats.json", "pools+summary+stats")]
    [InlineData("stats_0.json", "stats")]
    [InlineData("pools.txt", "pools")]
    [InlineData("/captures/S19/devs.json", "devs")]
    public void File_names_map_to_commands(string file, string command) =>
        Assert.Equal(command, DecodeCommand.CommandFromFileName(file));

    [FixtureFact]
    public void Json_output_has_hashrates_in_hashes_per_second()
    {
        string[] files = [.. Directory.EnumerateFiles(Path.Combine(RepoPaths.MinerApiFixtures, "antminer/antminer-s19-really-cold"))];
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = DecodeCommand.Run(files, "auto", json: true, RepoPaths.FirmwareProfiles, stdout, stderr);

        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("antminer", doc.RootElement.GetProperty("profile").GetString());
        Assert.True(doc.RootElement.GetProperty("detected").GetBoolean());
        JsonElement snapshot = doc.RootElement.GetProperty("snapshot");
        Assert.Equal(110786.79e9, snapshot.GetProperty("hashrate5sHs").GetDouble(), 1e-3);
        Assert.Equal(3, snapshot.GetProperty("boards").GetArrayLength());
        Assert.Equal(2848, snapshot.GetProperty("pools")[0].GetProperty("accepted").GetInt64());
    }

    [FixtureFact]
    public void Table_output_shows_profile_hashrate_and_pools()
    {
        string[] files = [.. Directory.EnumerateFiles(Path.Combine(RepoPaths.MinerApiFixtures, "antminer/antminer-s9-bos"))];
        var stdout = new StringWriter();

        int code = DecodeCommand.Run(files, "auto", json: false, RepoPaths.FirmwareProfiles, stdout, new StringWriter());

        string text = stdout.ToString();
        Assert.Equal(0, code);
        Assert.Contains("braiins-os (detected)", text, StringComparison.Ordinal);
        Assert.Contains("14.27 TH/s", text, StringComparison.Ordinal);
        Assert.Contains("stratum+tcp://stratum.antpool.com:3333", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unrepairable_capture_prints_the_typed_error_with_position_and_exits_non_zero()
    {
        string file = Path.Combine(_dir, "summary.json");
        File.WriteAllText(file, """{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"MHS 5s":1""");
        var stderr = new StringWriter();

        int code = DecodeCommand.Run([file], "generic-cgminer", json: false, RepoPaths.FirmwareProfiles, new StringWriter(), stderr);

        Assert.Equal(DecodeCommand.ExitDecodeError, code);
        Assert.Contains("MalformedReply", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("at byte", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x00, 0x7B })]
    [InlineData(new byte[] { (byte)'[', (byte)'[', (byte)'[' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'1', (byte)'}' })]
    public void Whatever_the_file_holds_decode_answers_with_an_exit_code(byte[] bytes)
    {
        string file = Path.Combine(_dir, "stats.json");
        File.WriteAllBytes(file, bytes);

        int code = DecodeCommand.Run([file], "auto", json: true, RepoPaths.FirmwareProfiles, new StringWriter(), new StringWriter());

        Assert.Equal(DecodeCommand.ExitDecodeError, code);
    }

    [Fact]
    public void Missing_file_and_unknown_profile_are_usage_errors()
    {
        var stderr = new StringWriter();
        Assert.Equal(DecodeCommand.ExitUsage, DecodeCommand.Run([Path.Combine(_dir, "nope.json")], "auto", false, RepoPaths.FirmwareProfiles, new StringWriter(), stderr));
        Assert.Contains("cannot read", stderr.ToString(), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_dir, "summary.json"), "{}");
        stderr = new StringWriter();
        Assert.Equal(DecodeCommand.ExitUsage, DecodeCommand.Run([Path.Combine(_dir, "summary.json")], "nosuch", false, RepoPaths.FirmwareProfiles, new StringWriter(), stderr));
        Assert.Contains("no firmware profile 'nosuch'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_profiles_directory_is_reported_not_thrown()
    {
        File.WriteAllText(Path.Combine(_dir, "generic-cgminer.yaml"), "name: generic-cgminer\nread: {}\n");
        var stderr = new StringWriter();

        int code = DecodeCommand.Run([Path.Combine(_dir, "generic-cgminer.yaml")], "auto", false, _dir, new StringWriter(), stderr);

        Assert.Equal(DecodeCommand.ExitProfiles, code);
        Assert.Contains("read.commands", stderr.ToString(), StringComparison.Ordinal);
    }

    [FixtureFact]
    public void Every_fixture_folder_decodes_without_an_internal_error()
    {
        foreach (string folder in FixtureMiner.Folders())
        {
            string[] files = [.. Directory.EnumerateFiles(Path.Combine(RepoPaths.MinerApiFixtures, folder))];
            int code = DecodeCommand.Run(files, "auto", json: true, RepoPaths.FirmwareProfiles, new StringWriter(), new StringWriter());
            Assert.True(code is DecodeCommand.ExitOk or DecodeCommand.ExitDecodeError, $"{folder}: exit {code}");
        }
    }
}
