using System.Text;
using System.Text.Json;
using CloudMining.Farm.Simulator;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class WireFormTests
{
    [Fact]
    public async Task Cgminer_style_JSON_reply_ends_with_a_NUL_byte()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        byte[] reply = await MinerWire.ExchangeAsync(farm.Miners[0].ListenEndPoint, "{\"command\":\"version\"}");

        Assert.Equal(0, reply[^1]);
        Assert.Equal((byte)'}', reply[^2]);
    }

    [Fact]
    public async Task Multi_command_reply_nests_each_full_reply_under_its_command()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", model: "Antminer S19 Pro");
        string raw = await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "summary+pools+stats");
        using JsonDocument doc = JsonDocument.Parse(raw);

        Assert.Equal(["summary", "pools", "stats", "id"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(11, doc.RootElement.GetProperty("summary")[0].GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
        Assert.True(doc.RootElement.GetProperty("pools")[0].TryGetProperty("POOLS", out _));
        Assert.True(doc.RootElement.GetProperty("stats")[0].TryGetProperty("STATS", out _));
    }

    [Fact]
    public async Task Plain_text_request_gets_the_plain_text_reply()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", model: "Antminer S19 Pro");
        string reply = Encoding.ASCII.GetString(await MinerWire.ExchangeAsync(farm.Miners[0].ListenEndPoint, "summary")).TrimEnd('\0');

        Assert.StartsWith("STATUS=S,When=", reply, StringComparison.Ordinal);
        Assert.Contains(",Code=11,Msg=Summary,Description=cgminer 1.0.0|SUMMARY,Elapsed=", reply, StringComparison.Ordinal);
        Assert.EndsWith("|", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_text_pools_list_each_pool_without_a_section_prefix()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        string reply = Encoding.ASCII.GetString(await MinerWire.ExchangeAsync(farm.Miners[0].ListenEndPoint, "pools|")).TrimEnd('\0');

        string[] parts = reply.Split('|', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, parts.Length);
        Assert.StartsWith("POOL=0,URL=stratum+tcp://pool.operator.example:3333,Status=Alive", parts[1], StringComparison.Ordinal);
        Assert.StartsWith("POOL=1,", parts[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_is_answered_with_code_14()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(farm.Miners[0].ListenEndPoint, "frobnicate"));

        JsonElement status = doc.RootElement.GetProperty("STATUS")[0];
        Assert.Equal("E", status.GetProperty("STATUS").GetString());
        Assert.Equal(14, status.GetProperty("Code").GetInt32());
        Assert.Equal("Invalid command", status.GetProperty("Msg").GetString());
    }

    [Fact]
    public async Task Broken_JSON_request_is_answered_with_code_23()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        byte[] reply = await MinerWire.ExchangeAsync(farm.Miners[0].ListenEndPoint, "{\"command\":summary}");
        using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetString(reply).TrimEnd('\0'));

        Assert.Equal(23, doc.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
    }
}
