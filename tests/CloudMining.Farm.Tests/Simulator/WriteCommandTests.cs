using System.Text.Json;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

public sealed class WriteCommandTests
{
    private static async Task<JsonElement> StatusAsync(SimulatedMiner miner, string command, string? parameter = null)
    {
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, command, parameter));
        return doc.RootElement.GetProperty("STATUS")[0].Clone();
    }

    [Theory]
    [InlineData("addpool", "stratum+tcp://x.example:3333,w,x")]
    [InlineData("switchpool", "1")]
    [InlineData("removepool", "1")]
    [InlineData("poolpriority", "1,0")]
    [InlineData("restart", null)]
    public async Task Without_write_access_privileged_commands_are_denied_like_cgminer(string command, string? parameter)
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        JsonElement status = await StatusAsync(farm.Miners[0], command, parameter);

        Assert.Equal("E", status.GetProperty("STATUS").GetString());
        Assert.Equal(45, status.GetProperty("Code").GetInt32());
        Assert.Equal($"Access denied to '{command}' command", status.GetProperty("Msg").GetString());
        Assert.Equal(2, farm.Miners[0].Snapshot().Pools.Count);
    }

    [Fact]
    public async Task Addpool_then_switchpool_moves_the_hashrate_to_the_new_pool()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, writeAccess: true,
            customize: (_, s) => s with { ShareDifficulty = 1024 });
        SimulatedMiner miner = farm.Miners[0];

        JsonElement added = await StatusAsync(miner, "addpool", "stratum+tcp://customer.example:3333,cust.worker1,x");
        Assert.Equal(55, added.GetProperty("Code").GetInt32());
        Assert.Equal("Added pool 2: 'stratum+tcp://customer.example:3333'", added.GetProperty("Msg").GetString());

        JsonElement switched = await StatusAsync(miner, "switchpool", "2");
        Assert.Equal(27, switched.GetProperty("Code").GetInt32());
        Assert.Equal("Switching to pool 2:'stratum+tcp://customer.example:3333'", switched.GetProperty("Msg").GetString());

        clock.Advance(TimeSpan.FromMinutes(10));
        MinerView v = miner.Snapshot();
        Assert.Equal(0, v.Pools[2].Priority);
        Assert.True(v.Pools[2].Active);
        Assert.True(v.Pools[2].Accepted > 0);
        Assert.Equal(0, v.Pools[0].Accepted);
        Assert.True(farm.PoolView().Single(p => p.User == "cust.worker1").AcceptedDifficulty > 0);
    }

    [Fact]
    public async Task Active_pool_cannot_be_removed_but_an_idle_one_can()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: true);
        SimulatedMiner miner = farm.Miners[0];

        JsonElement refused = await StatusAsync(miner, "removepool", "0");
        Assert.Equal(67, refused.GetProperty("Code").GetInt32());

        JsonElement removed = await StatusAsync(miner, "removepool", "1");
        Assert.Equal(68, removed.GetProperty("Code").GetInt32());
        Assert.Single(miner.Snapshot().Pools);

        JsonElement last = await StatusAsync(miner, "removepool", "0");
        Assert.Equal(66, last.GetProperty("Code").GetInt32());
    }

    [Fact]
    public async Task Disable_enable_priority_and_quota_follow_cgminer()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: true);
        SimulatedMiner miner = farm.Miners[0];

        Assert.Equal(48, (await StatusAsync(miner, "disablepool", "0")).GetProperty("Code").GetInt32());
        Assert.True(miner.Snapshot().Pools[1].Active);
        Assert.Equal(50, (await StatusAsync(miner, "disablepool", "0")).GetProperty("Code").GetInt32());
        Assert.Equal(51, (await StatusAsync(miner, "disablepool", "1")).GetProperty("Code").GetInt32());
        Assert.Equal(47, (await StatusAsync(miner, "enablepool", "0")).GetProperty("Code").GetInt32());
        Assert.True(miner.Snapshot().Pools[0].Active);

        Assert.Equal(73, (await StatusAsync(miner, "poolpriority", "1,0")).GetProperty("Code").GetInt32());
        Assert.True(miner.Snapshot().Pools[1].Active);
        Assert.Equal(74, (await StatusAsync(miner, "poolpriority", "1,1")).GetProperty("Code").GetInt32());
        Assert.Equal(26, (await StatusAsync(miner, "switchpool", "7")).GetProperty("Code").GetInt32());

        JsonElement quota = await StatusAsync(miner, "poolquota", "0,5");
        Assert.Equal(122, quota.GetProperty("Code").GetInt32());
        Assert.Equal("Set pool 'stratum+tcp://pool.operator.example:3333' to quota 5'", quota.GetProperty("Msg").GetString());
        Assert.Equal(5, miner.Snapshot().Pools[0].Quota);
    }

    [Fact]
    public async Task Restart_answers_RESTART_then_is_gone_for_the_restart_delay()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, writeAccess: true,
            customize: (_, s) => s with { RestartDelay = TimeSpan.FromSeconds(20) });
        SimulatedMiner miner = farm.Miners[0];
        clock.Advance(TimeSpan.FromMinutes(5));

        string reply = await MinerWire.JsonAsync(miner.ListenEndPoint, "restart");
        Assert.Equal("{\"STATUS\":\"RESTART\"}", reply);
        Assert.True(await Eventually.TrueAsync(() => miner.PowerState == MinerPowerState.Booting, TimeSpan.FromSeconds(5)));
        Assert.True(await MinerWire.IsRefusedAsync(miner.ListenEndPoint));

        clock.Advance(TimeSpan.FromSeconds(20));
        using JsonDocument doc = JsonDocument.Parse(await MinerWire.JsonAsync(miner.ListenEndPoint, "summary"));
        Assert.Equal(0, doc.RootElement.GetProperty("SUMMARY")[0].GetProperty("Elapsed").GetInt64());
    }
}
