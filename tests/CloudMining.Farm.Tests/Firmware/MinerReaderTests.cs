using System.Text;
using System.Text.Json;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.MinerApi;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>MinerReader over a real socket, answered from captured replies.</summary>
public sealed class MinerReaderTests
{
    private static readonly MinerApiClientOptions Fast = new() { ReadTimeout = TimeSpan.FromSeconds(2) };

    [FixtureFact]
    public async Task Auto_detects_antminer_once_per_endpoint_and_reads_with_one_multi_command_request()
    {
        await using var miner = new LoopbackMiner(request => Answer("antminer/antminer-s19-really-cold", request));
        var reader = new MinerReader(FixtureMiner.Catalog, new MinerApiClient(Fast));
        var endpoint = new MinerEndpoint("127.0.0.1", miner.Port);

        MinerReadResult first = await reader.ReadAsync(endpoint, "auto", CancellationToken.None);
        MinerReadResult second = await reader.ReadAsync(endpoint, "auto", CancellationToken.None);

        Assert.True(first.IsSuccess, first.Error?.ToString());
        Assert.Equal("antminer", first.Snapshot.Identity.Profile);
        Assert.Equal(110786.79e9, first.Snapshot.Hashrate5s!.Value.HashesPerSecond, 1e-3);
        Assert.True(second.IsSuccess);
        Assert.Equal("antminer", reader.DetectedProfile(endpoint)?.Name);
        string[] commands = [.. miner.Requests.Select(CommandOf)];
        Assert.Equal(["version", "version+stats+pools", "version+stats+pools"], commands);
    }

    [FixtureFact]
    public async Task Firmware_without_multi_command_support_is_read_command_by_command()
    {
        await using var miner = new LoopbackMiner(request =>
            CommandOf(request).Contains('+', StringComparison.Ordinal)
                ? LoopbackMiner.Reply.Of("""{"STATUS":[{"STATUS":"E","When":1,"Code":14,"Msg":"Invalid command","Description":"cgminer"}],"id":1}""")
                : Answer("whatsminer/whatsminer-m20s-new-firmware", request));
        var reader = new MinerReader(FixtureMiner.Catalog, new MinerApiClient(Fast));

        MinerReadResult result = await reader.ReadAsync(new MinerEndpoint("127.0.0.1", miner.Port), "whatsminer", CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(3491, result.Snapshot.Power?.Watts);
        Assert.Equal(3, result.Snapshot.Boards.Count);
        Assert.Contains(result.Snapshot.Warnings, w => w.StartsWith("edevs:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unreachable_miner_is_an_error_value_not_an_exception()
    {
        var reader = new MinerReader(FixtureCatalogOrSkip(), new MinerApiClient(Fast));

        MinerReadResult result = await reader.ReadAsync(new MinerEndpoint("127.0.0.1", FreeTcpPort.Next()), "auto", CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(MinerApiErrorKind.Unreachable, result.Error.Kind);
    }

    [Fact]
    public async Task Unresolvable_host_is_an_error_value_not_an_exception()
    {
        var reader = new MinerReader(FixtureCatalogOrSkip(), new MinerApiClient(Fast));

        MinerReadResult result = await reader.ReadAsync(new MinerEndpoint("no-such-miner.invalid"), "antminer", CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(MinerApiErrorKind.Unreachable, result.Error.Kind);
    }

    [Fact]
    public async Task Garbage_reply_is_a_typed_error()
    {
        await using var miner = new LoopbackMiner(_ => LoopbackMiner.Reply.Of("HTTP/1.1 400 Bad Request\r\n\r\n"));
        var reader = new MinerReader(FixtureCatalogOrSkip(), new MinerApiClient(Fast));

        MinerReadResult result = await reader.ReadAsync(new MinerEndpoint("127.0.0.1", miner.Port), "generic-cgminer", CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(MinerApiErrorKind.MalformedReply, result.Error.Kind);
    }

    [Fact]
    public async Task Unknown_profile_name_is_a_clear_error()
    {
        var reader = new MinerReader(FixtureCatalogOrSkip(), new MinerApiClient(Fast));

        MinerReadResult result = await reader.ReadAsync(new MinerEndpoint("127.0.0.1", 1), "no-such-firmware", CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Contains("no-such-firmware", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("generic-cgminer", result.Error.Message, StringComparison.Ordinal);
    }

    private static FirmwareProfileCatalog FixtureCatalogOrSkip() => FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    private static string CommandOf(string request) => JsonDocument.Parse(request).RootElement.GetProperty("command").GetString()!;

    /// <summary>Answers a command, or a multi-command, from the fixture files of one miner (assembled as cgminer does).</summary>
    private static LoopbackMiner.Reply Answer(string folder, string request)
    {
        string command = CommandOf(request);
        string[] parts = command.Split('+');
        string Read(string c)
        {
            string path = FixtureMiner.PathOf(folder, c + ".json");
            return File.Exists(path)
                ? File.ReadAllText(path).TrimEnd('\0', ' ', '\n')
                : """{"STATUS":[{"STATUS":"E","When":1,"Code":14,"Msg":"Invalid command","Description":"cgminer"}],"id":1}""";
        }

        if (parts.Length == 1)
        {
            return LoopbackMiner.Reply.Of(Read(command) + "\0");
        }

        var sb = new StringBuilder("{");
        foreach (string part in parts)
        {
            sb.Append('"').Append(part).Append("\":[").Append(Read(part)).Append("],");
        }

        sb.Append("\"id\":1}");
        return LoopbackMiner.Reply.Of(sb.ToString());
    }
}
