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

        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.MinerStatus?.Any(s => s.MinerId == stock && s.State == ReportedMinerState.Failed) == true, Patience), Dump(rack));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.MinerStatus?.Any(s => s.MinerId == bos && s.State == ReportedMinerState.Applied) == true, Patience), Dump(rack));
        string reason = rack.Reconciler.LastReport!.MinerStatus!.Single(s => s.MinerId == stock).Reason!;
        Assert.Contains($"miner {stock}, channel bitmain-web", reason, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", reason, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", reason, StringComparison.Ordinal);

        // Nothing on the stock Antminer changed, and the other miner got its pools.
        Assert.Equal(before, rack.MiningOrder(0));
        Assert.Equal(0, rack[0].WebWritesReceived);
        Assert.Equal(0, rack[0].WriteCommandsReceived);
        Assert.Equal((Customer, "cust." + bos), (rack.MiningOrder(1)[0].Url, rack.MiningOrder(1)[0].User));

        // No retry storm: many poll cycles later the refused login was tried once (the backoff is a minute).
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 5, Patience));
        Assert.Equal(1, rack[0].WebLoginsRefused);

        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.MinerStatus?.Any(s => s.MinerId == stock && s.State == ReportedMinerState.Failed) == true), Patience));
        await rack.StopAgentAsync(); // its files are complete once it has stopped
        List<string> written = EverythingWritten(rack);
        Assert.Contains(written, w => w.Contains("bitmain-web", StringComparison.Ordinal));
        Assert.All(written, w => Assert.DoesNotContain(wrong, w, StringComparison.Ordinal));
    }
}
