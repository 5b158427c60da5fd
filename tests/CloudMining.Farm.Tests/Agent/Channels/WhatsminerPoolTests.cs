using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Agent.Pools;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using static CloudMining.Farm.Tests.Agent.Channels.ChannelPools;

namespace CloudMining.Farm.Tests.Agent.Channels;

/// <summary>
/// The agent enforcing desired pools on realistic simulated Whatsminers: API v2 (token + AES) on older firmware, API v3
/// on late-2024 firmware, never a cgminer write; a wrong password is a typed, contained failure that never shows it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WhatsminerPoolTests
{
    [Fact]
    public async Task Desired_pools_reach_whatsminers_of_both_api_versions_verified_by_read_back_and_the_pool_side()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["whatsminer", "whatsminer-v3"]);
        string v2 = rack[0].Id, v3 = rack[1].Id;

        await rack.PublishDesiredAsync(PoolsRack.Desired(1, CustomerFirst(v2), CustomerFirst(v3)));

        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1 && r.Applied == true), Patience), Dump(rack));
        for (int i = 0; i < 2; i++)
        {
            string id = rack[i].Id;
            Assert.Equal([(Customer, "cust." + id), (House, "house." + id)], rack.MiningOrder(i).Select(p => (p.Url, p.User)).ToArray());
            Assert.True(await Eventually.TrueAsync(() => rack.Farm.PoolView().Any(p => p.Url == Customer && p.User == "cust." + id && p.AcceptedShares > 0), Patience), $"{id}'s customer worker gets shares");
        }

        Assert.Contains(rack.EventsOf("pools-applied"), e => e.MinerId == v2 && (e.Detail ?? string.Empty).Contains("whatsminer-v2", StringComparison.Ordinal));
        Assert.Contains(rack.EventsOf("pools-applied"), e => e.MinerId == v3 && (e.Detail ?? string.Empty).Contains("whatsminer-v3", StringComparison.Ordinal));
        ReportedPoolStatePayload report = rack.ReportedOnWire.Last(r => r.Applied == true);
        Assert.All(report.MinerStatus!, s => Assert.Equal(ReportedMinerState.Applied, s.State));

        // Polls later, still applied and no further write: verified against the polled pools only.
        long writes0 = rack[0].WriteCommandsReceived, writes1 = rack[1].WriteCommandsReceived;
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 3, Patience));
        Assert.Equal((writes0, writes1), (rack[0].WriteCommandsReceived, rack[1].WriteCommandsReceived));
    }

    [Fact]
    public async Task A_wrong_api_password_fails_that_miner_alone_with_the_fix_and_never_shows_the_password()
    {
        const string wrong = "Wr0ng-Api-Secret-77";
        await using PoolsRack rack = await PoolsRack.StartAsync(["whatsminer", "whatsminer-v3", "braiins-os"], configure: o =>
        {
            foreach (MinerCredentialOptions right in o.MinerCredentials.Where(c => c.Profile == "whatsminer").ToList())
            {
                o.MinerCredentials.Remove(right);
            }

            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "whatsminer", Password = wrong });
        });
        string bad = rack[0].Id, v3 = rack[1].Id, bos = rack[2].Id;
        var before = rack.MiningOrder(0);

        await rack.PublishDesiredAsync(PoolsRack.Desired(1, CustomerFirst(bad), CustomerFirst(v3), CustomerFirst(bos)));

        await AssertWrongLoginContainedAsync(rack, before, wrong, "whatsminer-v2", "check token error", () => rack[0].ApiLoginsRefused);
        Assert.All(EverythingWritten(rack), w => Assert.DoesNotContain(MinerSpec.DefaultApiPassword, w, StringComparison.Ordinal));
    }
}
