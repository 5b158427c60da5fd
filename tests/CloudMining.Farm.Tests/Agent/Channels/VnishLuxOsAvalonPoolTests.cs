using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator.Personalities;
using CloudMining.Farm.Tests.Agent.Pools;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using static CloudMining.Farm.Tests.Agent.Channels.ChannelPools;

namespace CloudMining.Farm.Tests.Agent.Channels;

/// <summary>
/// The agent enforcing desired pools on realistic simulated VNish (REST with a bearer token), LuxOS (a session for
/// configuration commands, pool groups for quotas) and Avalon (cgminer RPC), each through its own channel.
/// </summary>
[Trait("Category", "Integration")]
public sealed class VnishLuxOsAvalonPoolTests
{
    [Fact]
    public async Task Desired_pools_and_a_quota_split_reach_each_firmware_through_its_own_channel()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["vnish", "luxos", "avalon"], permissiveRpcWrites: false);
        string vnish = rack[0].Id, luxos = rack[1].Id, avalon = rack[2].Id;

        await rack.PublishDesiredAsync(PoolsRack.Desired(1, CustomerFirst(vnish), CustomerFirst(luxos, quota: 3, houseQuota: 1), CustomerFirst(avalon)));

        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1 && r.Applied == true), Patience), Dump(rack));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([(Customer, "cust." + rack[i].Id), (House, "house." + rack[i].Id)], rack.MiningOrder(i).Select(p => (p.Url, p.User)).ToArray());
        }

        Assert.Equal(0, rack[0].WriteCommandsReceived); // VNish: not one cgminer write, all through REST
        Assert.InRange(rack[0].WebWritesReceived, 1, 2);
        Assert.Contains(rack.EventsOf("pools-applied"), e => e.MinerId == vnish && (e.Detail ?? string.Empty).Contains("vnish-rest", StringComparison.Ordinal));
        Assert.Contains(rack.EventsOf("pools-applied"), e => e.MinerId == luxos && (e.Detail ?? string.Empty).Contains("cgminer-session", StringComparison.Ordinal));

        // LuxOS: the quota split is two pool groups, 3:1, and both customer and house workers receive shares.
        IMinerControls lux = rack[1];
        Assert.Equal([3, 1], lux.Groups.Select(g => g.Quota).ToArray());
        Assert.True(await Eventually.TrueAsync(() => rack.Farm.PoolView().Any(p => p.Url == House && p.User == "house." + luxos && p.AcceptedShares > 0), Patience));
        foreach (string id in new[] { vnish, luxos, avalon })
        {
            Assert.True(await Eventually.TrueAsync(() => rack.Farm.PoolView().Any(p => p.Url == Customer && p.User == "cust." + id && p.AcceptedShares > 0), Patience), id);
        }

        // Polls later, still applied, nothing written again.
        long webWrites = rack[0].WebWritesReceived, luxWrites = rack[1].WriteCommandsReceived;
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 3, Patience));
        Assert.Equal((webWrites, luxWrites), (rack[0].WebWritesReceived, rack[1].WriteCommandsReceived));
    }

    [Fact]
    public async Task A_wrong_vnish_password_fails_that_miner_alone_with_the_fix_and_never_shows_the_password()
    {
        const string wrong = "Wr0ng-Vnish-Secret-77";
        await using PoolsRack rack = await PoolsRack.StartAsync(["vnish", "luxos"], permissiveRpcWrites: false, configure: o =>
        {
            foreach (MinerCredentialOptions vnishLogin in o.MinerCredentials.Where(c => c.Profile == "vnish").ToList())
            {
                o.MinerCredentials.Remove(vnishLogin);
            }

            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "vnish", Password = wrong });
        });
        string vnish = rack[0].Id, luxos = rack[1].Id;
        var before = rack.MiningOrder(0);

        await rack.PublishDesiredAsync(PoolsRack.Desired(1, CustomerFirst(vnish), CustomerFirst(luxos)));

        await AssertWrongLoginContainedAsync(rack, before, wrong, "vnish-rest", "HTTP 403", () => rack[0].VnishUnlocksRefused);
        Assert.Equal(0, rack[0].WebWritesReceived);
    }
}
