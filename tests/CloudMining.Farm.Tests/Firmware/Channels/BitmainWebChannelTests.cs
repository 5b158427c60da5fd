using System.Text.Json;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;
using static CloudMining.Farm.Tests.Firmware.Channels.ChannelKit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

/// <summary>The Bitmain web channel against the simulated stock Antminer's lighttpd CGI with Digest, read back through the normal read path.</summary>
public sealed class BitmainWebChannelTests
{
    private static readonly FirmwareProfile Antminer = Profiles.Get("antminer");

    private static Task<SimulatedFarm> StockAntminerAsync(string password = "root") =>
        RealisticAsync("antminer", customize: s => s with { WebPassword = password });

    private static ChannelTarget Target(SimulatedMiner m, string password) =>
        new(m.Id, m.Endpoint, Antminer) { WebPort = m.WebEndPoint!.Port, Credential = new MinerCredential("root", password) };

    [Fact]
    public async Task Stock_antminer_refuses_every_cgminer_write_with_code_45()
    {
        await using SimulatedFarm farm = await StockAntminerAsync();
        SimulatedMiner m = farm.Miners[0];

        foreach ((string command, string? parameter) in new[] { ("addpool", "stratum+tcp://x.example:3333,w,x"), ("switchpool", "1"), ("poolquota", "0,5"), ("restart", (string?)null) })
        {
            using JsonDocument reply = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, command, parameter));
            JsonElement status = reply.RootElement.GetProperty("STATUS")[0];
            Assert.Equal("E", status.GetProperty("STATUS").GetString());
            Assert.Equal(45, status.GetProperty("Code").GetInt32());
            Assert.Equal($"Access denied to '{command}' command", status.GetProperty("Msg").GetString());
        }

        Assert.Equal(4, m.WriteCommandsReceived);
        Assert.Equal(["stratum+tcp://pool.operator.example:3333", "stratum+tcp://backup.operator.example:3333"], m.Snapshot().Pools.OrderBy(p => p.Priority).Select(p => p.Url));
        Assert.Equal(1, m.BootCount); // the refused restart did not restart it
    }

    [Fact]
    public async Task Pools_sleep_and_led_go_through_the_web_cgi_and_read_back_through_the_api()
    {
        await using SimulatedFarm farm = await StockAntminerAsync();
        SimulatedMiner m = farm.Miners[0];
        var writer = MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions()), TimeSpan.FromSeconds(5));
        ChannelTarget target = Target(m, "root");

        ChannelResult set = await writer.SetPoolsAsync(target, [new PoolEntry(Customer, "cust.w1", "pool-pw"), new PoolEntry(House, "house.w1", "x")], CancellationToken.None);

        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal(WriteChannelNames.BitmainWeb, set.Channel);
        Assert.Equal(2, set.RequestsSent); // get_miner_conf, then set_miner_conf with everything else unchanged
        Assert.Equal(0, m.WriteCommandsReceived); // not one cgminer write
        Assert.True(m.HasPoolPassword(Customer, "cust.w1", "pool-pw"));

        // Read back through the normal read path (the agent's reader, the pools command).
        Assert.Equal([(Customer, "cust.w1"), (House, "house.w1")], PoolOrder(await ReadBackAsync(m, "antminer")));

        // The simulated pool side sees the customer worker's shares.
        await AssertSharesAtPoolAsync(farm, Customer, "cust.w1");

        await AssertPauseAndResumeAsync(writer, target, m);
        Assert.Equal([(Customer, "cust.w1"), (House, "house.w1")], m.Snapshot().Pools.OrderBy(p => p.Priority).Select(p => (p.Url, p.User)).ToArray()); // sleep kept the pools

        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOn, CancellationToken.None)).Succeeded);
        Assert.True(m.Blinking);
        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOff, CancellationToken.None)).Succeeded);
        Assert.False(m.Blinking);
    }

    [Fact]
    public async Task A_wrong_password_is_a_typed_error_naming_miner_channel_and_fix_and_changes_nothing()
    {
        const string wrong = "Not-The-Pw-9";
        await using SimulatedFarm farm = await StockAntminerAsync(password: "Right-Pw-1");
        SimulatedMiner m = farm.Miners[0];
        var before = m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray();
        var writer = MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions()), TimeSpan.FromSeconds(5));

        ChannelResult result = await writer.SetPoolsAsync(Target(m, wrong), [new PoolEntry(Customer, "cust.w1", "x")], CancellationToken.None);

        Assert.False(result.Succeeded);
        ChannelError error = result.Error!;
        Assert.Equal(ChannelErrorKind.AuthenticationFailed, error.Kind);
        Assert.Equal(m.Id, error.MinerId);
        Assert.Equal("bitmain-web", error.Channel);
        Assert.Contains("Agent:MinerCredentials", error.Fix, StringComparison.Ordinal);
        Assert.Contains(m.Id, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.True(m.WebLoginsRefused >= 1);
        Assert.Equal(0, m.WebWritesReceived);
        Assert.Equal(before, m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray());

        ChannelResult missing = await writer.SetPoolsAsync(Target(m, wrong) with { Credential = null }, [new PoolEntry(Customer, "cust.w1", "x")], CancellationToken.None);
        Assert.Equal(ChannelErrorKind.MissingCredentials, missing.Error!.Kind);
        Assert.Equal(0, missing.RequestsSent);
    }

    [Fact]
    public async Task A_quota_or_a_fourth_pool_is_refused_before_anything_is_sent()
    {
        await using SimulatedFarm farm = await StockAntminerAsync();
        SimulatedMiner m = farm.Miners[0];
        var writer = MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions()), TimeSpan.FromSeconds(5));

        ChannelResult quota = await writer.SetPoolsAsync(Target(m, "root"), [new PoolEntry(Customer, "c", "x", Quota: 3)], CancellationToken.None);
        ChannelResult four = await writer.SetPoolsAsync(Target(m, "root"), [.. Enumerable.Range(0, 4).Select(i => new PoolEntry(Customer, "c" + i, "x"))], CancellationToken.None);

        Assert.Equal((ChannelErrorKind.NotSupported, 0), (quota.Error!.Kind, quota.RequestsSent));
        Assert.Equal((ChannelErrorKind.NotSupported, 0), (four.Error!.Kind, four.RequestsSent));
        Assert.Equal(0, m.WebRequestsReceived);
    }
}
