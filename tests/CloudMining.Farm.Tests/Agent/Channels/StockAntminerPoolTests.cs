using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Pools;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using static CloudMining.Farm.Tests.Agent.Channels.ChannelPools;

namespace CloudMining.Farm.Tests.Agent.Channels;

/// <summary>
/// The agent enforcing desired pools on a realistic simulated stock Antminer: its cgminer API refuses every write
/// (Code 45), so the pools go through the web CGI with Digest; a wrong login is a typed, contained failure.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StockAntminerPoolTests
{
    [Fact]
    public async Task Desired_pools_reach_a_stock_antminer_through_its_web_cgi_without_one_rpc_write()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os"], permissiveRpcWrites: false);
        string stock = rack[0].Id, bos = rack[1].Id;

        await rack.PublishDesiredAsync(PoolsRack.Desired(1, CustomerFirst(stock), CustomerFirst(bos)));

        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1 && r.Applied == true), Patience), Dump(rack));
        Assert.Equal([(Customer, "cust." + stock), (House, "house." + stock)], rack.MiningOrder(0).Select(p => (p.Url, p.User)).ToArray());
        Assert.Equal(0, rack[0].WriteCommandsReceived); // the agent never tried cgminer writes on stock firmware: no refusals to retry
        Assert.InRange(rack[0].WebWritesReceived, 1, 2);
        Assert.Contains(rack.EventsOf("pools-applied"), e => e.MinerId == stock && (e.Detail ?? string.Empty).Contains("bitmain-web", StringComparison.Ordinal));

        // The simulated pool side: the customer worker of the stock Antminer receives shares.
        Assert.True(await Eventually.TrueAsync(() => rack.Farm.PoolView().Any(p => p.Url == Customer && p.User == "cust." + stock && p.AcceptedShares > 0), Patience));

        // Polls later, still applied and still no write of any kind: verified against the polled pools only.
        long webWrites = rack[0].WebWritesReceived;
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 3, Patience));
        Assert.Equal((0L, webWrites), (rack[0].WriteCommandsReceived, rack[0].WebWritesReceived));
    }

    [Fact]
    public async Task A_wrong_web_password_fails_that_miner_alone_with_the_fix_and_never_shows_the_password()
    {
        const string wrong = "Wr0ng-Web-Secret-41";
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os"], permissiveRpcWrites: false, configure: o =>
        {
            o.MinerCredentials.Clear();
            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "antminer", Password = wrong });
            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "braiins-os", Password = PoolsRack.WebPassword });
        });
        string stock = rack[0].Id, bos = rack[1].Id;
        var before = rack.MiningOrder(0);

        await rack.PublishDesiredAsync(PoolsRack.Desired(1, CustomerFirst(stock), CustomerFirst(bos)));

        await AssertWrongLoginContainedAsync(rack, before, wrong, "bitmain-web", "HTTP 401", () => rack[0].WebLoginsRefused);
        Assert.Equal((0L, 0L), (rack[0].WebWritesReceived, rack[0].WriteCommandsReceived));
    }
}
