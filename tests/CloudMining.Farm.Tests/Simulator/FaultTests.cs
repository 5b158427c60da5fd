using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class FaultTests
{
    [Fact]
    public async Task Hung_miner_accepts_but_never_answers_until_the_fault_clears()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        SimulatedMiner miner = farm.Miners[0];
        miner.InjectFault(MinerFault.Hang());

        Task<byte[]> pending = MinerWire.ExchangeAsync(miner.ListenEndPoint, "{\"command\":\"summary\"}", TimeSpan.FromSeconds(20));
        Assert.True(await Eventually.TrueAsync(() => miner.RequestsReceived == 1, TimeSpan.FromSeconds(5)));
        Assert.False(await Eventually.TrueAsync(() => pending.IsCompleted, TimeSpan.FromMilliseconds(300)));

        miner.ClearFaults();
        byte[] closed = await pending;
        Assert.Empty(closed);
        Assert.Contains("SUMMARY", await MinerWire.JsonAsync(miner.ListenEndPoint, "summary"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusing_miner_refuses_connections_and_recovers_when_cleared()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        SimulatedMiner miner = farm.Miners[0];

        miner.InjectFault(MinerFault.Refuse());
        Assert.True(await MinerWire.IsRefusedAsync(miner.ListenEndPoint));

        miner.ClearFaults();
        Assert.False(await MinerWire.IsRefusedAsync(miner.ListenEndPoint));
    }

    [Fact]
    public async Task Slow_miner_answers_after_the_delay()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        SimulatedMiner miner = farm.Miners[0];
        miner.InjectFault(MinerFault.Slow(400));

        var clock = Stopwatch.StartNew();
        string reply = await MinerWire.JsonAsync(miner.ListenEndPoint, "summary");

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(380), $"answered after {clock.Elapsed.TotalMilliseconds} ms");
        Assert.Contains("SUMMARY", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_reply_is_not_JSON()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        SimulatedMiner miner = farm.Miners[0];
        miner.InjectFault(MinerFault.Garbage());

        byte[] reply = await MinerWire.ExchangeAsync(miner.ListenEndPoint, "{\"command\":\"summary\"}");

        Assert.NotEmpty(reply);
        Assert.NotEqual((byte)'{', reply[0]);
    }

    [Fact]
    public async Task Truncated_reply_is_a_prefix_of_a_valid_reply_that_does_not_parse()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        SimulatedMiner miner = farm.Miners[0];
        miner.InjectFault(MinerFault.Truncated());

        string reply = Encoding.UTF8.GetString(await MinerWire.ExchangeAsync(miner.ListenEndPoint, "{\"command\":\"version\"}"));

        Assert.StartsWith("{\"STATUS\":[{\"STATUS\":\"S\"", reply, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(reply));
    }

    [Fact]
    public async Task Lost_board_shows_no_chips_no_rate_and_no_temperature()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", model: "Antminer S19 Pro");
        SimulatedMiner miner = farm.Miners[0];
        miner.InjectFault(MinerFault.BoardLost(1));

        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "stats"));
        JsonElement s = doc.RootElement.GetProperty("STATS")[1];

        Assert.Equal(0, s.GetProperty("chain_acn2").GetInt32());
        Assert.Equal(string.Empty, s.GetProperty("chain_rate2").GetString());
        Assert.Equal(0, s.GetProperty("temp2_2").GetInt32());
        Assert.Equal(114, s.GetProperty("chain_acn1").GetInt32());
        Assert.Equal(228, s.GetProperty("total_acn").GetInt32());
        Assert.InRange(s.GetProperty("GHS 5s").GetDouble(), 110_000 * 2 / 3 * 0.9, 110_000 * 2 / 3 * 1.1);
    }

    [Fact]
    public async Task Hashrate_drop_scales_the_reported_hashrate()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("braiins-os", model: "Antminer S19 Pro");
        SimulatedMiner miner = farm.Miners[0];
        miner.InjectFault(MinerFault.HashrateDrop(40));

        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "summary"));
        double mhs = doc.RootElement.GetProperty("SUMMARY")[0].GetProperty("MHS 5s").GetDouble();

        Assert.InRange(mhs, 110e6 * 0.4 * 0.9, 110e6 * 0.4 * 1.1);
    }

    [Fact]
    public async Task Power_off_stops_listening_and_power_on_boots_with_uptime_and_counters_from_zero()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock,
            customize: (_, s) => s with { BootDelay = TimeSpan.FromSeconds(60), ShareDifficulty = 1024 });
        SimulatedMiner miner = farm.Miners[0];
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(miner.Snapshot().Accepted > 0);

        miner.SetPower(false);
        Assert.True(await MinerWire.IsRefusedAsync(miner.ListenEndPoint));

        miner.SetPower(true);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True(await MinerWire.IsRefusedAsync(miner.ListenEndPoint));

        clock.Advance(TimeSpan.FromSeconds(1));
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "summary"));
        JsonElement s = doc.RootElement.GetProperty("SUMMARY")[0];
        Assert.Equal(0, s.GetProperty("Elapsed").GetInt64());
        Assert.Equal(0, s.GetProperty("Accepted").GetInt64());
        Assert.Equal(2, miner.BootCount);
    }

    [Fact]
    public async Task Power_off_drops_a_hung_connection()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        SimulatedMiner miner = farm.Miners[0];
        miner.InjectFault(MinerFault.Hang());
        Task<byte[]> pending = MinerWire.ExchangeAsync(miner.ListenEndPoint, "{\"command\":\"summary\"}", TimeSpan.FromSeconds(20));
        Assert.True(await Eventually.TrueAsync(() => miner.RequestsReceived == 1, TimeSpan.FromSeconds(5)));
        Assert.False(pending.IsCompleted);

        miner.SetPower(false);

        Assert.True(await Eventually.TrueAsync(() => pending.IsCompleted, TimeSpan.FromSeconds(5)));
        Assert.True(pending.IsCompletedSuccessfully || pending.Exception?.InnerException is SocketException);
    }

    [Fact]
    public async Task Miner_that_starts_unpowered_answers_only_after_power_on_and_boot()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("braiins-os", clock: clock,
            customize: (_, s) => s with { PoweredOnAtStart = false, BootDelay = TimeSpan.FromSeconds(45) });
        SimulatedMiner miner = farm.Miners[0];

        Assert.Equal(MinerPowerState.Off, miner.PowerState);
        Assert.NotEqual(0, miner.ListenEndPoint.Port);
        Assert.True(await MinerWire.IsRefusedAsync(miner.ListenEndPoint));

        miner.SetPower(true);
        Assert.Equal(MinerPowerState.Booting, miner.PowerState);
        clock.Advance(TimeSpan.FromSeconds(45));

        Assert.Equal(MinerPowerState.Running, miner.PowerState);
        Assert.Contains("BOSminer", await MinerWire.JsonAsync(miner.ListenEndPoint, "version"), StringComparison.Ordinal);
    }
}
