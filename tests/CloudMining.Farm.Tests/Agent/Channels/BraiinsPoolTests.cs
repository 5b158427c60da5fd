using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Pools;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using static CloudMining.Farm.Tests.Agent.Channels.ChannelPools;

namespace CloudMining.Farm.Tests.Agent.Channels;

/// <summary>
/// The agent enforcing desired pools on a realistic simulated Braiins OS+ miner: BOSminer's cgminer API changes
/// nothing but pause/resume, so pools (and a quota split, as pool groups) go through its gRPC API; a wrong login is a
/// typed, contained failure that never shows the password.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BraiinsPoolTests
{
    [Fact]
    public async Task A_quota_split_reaches_a_bos_miner_as_pool_groups_verified_by_read_back_and_at_the_pools()
    {
        const string poolSecret = "Bos-Pool-Secret-61";
        await using PoolsRack rack = await PoolsRack.StartAsync(["braiins-os", "antminer"], permissiveRpcWrites: false,
            configure: o => o.PoolCredentials.Add(new PoolCredentialOptions { Url = Customer, User = "*", Password = poolSecret }));
        string bos = rack[0].Id;

        await rack.PublishDesiredAsync(PoolsRack.Desired(1,
            new MinerPoolAssignment(bos, [new PoolTarget(Customer, "cust." + bos, 0, 700), new PoolTarget(House, "house." + bos, 1, 300)], "c-1")));

        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1 && r.Applied == true), Patience), Dump(rack));
        Assert.Equal([(Customer, "cust." + bos, 700), (House, "house." + bos, 300)], rack.MiningOrder(0).ToArray());
        Assert.Equal([700u, 300u], rack[0].PoolGroupsSummary.Select(g => g.Quota!.Value));
        Assert.True(rack[0].HasPoolPassword(Customer, "cust." + bos, poolSecret));
        Assert.Equal(0, rack[0].WriteCommandsReceived); // not one cgminer write
        Assert.InRange(rack[0].GrpcWritesReceived, 1, 2);
        Assert.Contains(rack.EventsOf("pools-applied"), e => e.MinerId == bos && (e.Detail ?? string.Empty).Contains("braiins-grpc", StringComparison.Ordinal));

        // The pool side sees the 70/30 split.
        Assert.True(await Eventually.TrueAsync(() => rack.Farm.PoolView().Count(p => p.User.EndsWith("." + bos, StringComparison.Ordinal) && p.AcceptedShares > 20) == 2, Patience));
        double customer = rack.Farm.PoolView().Single(p => p.Url == Customer && p.User == "cust." + bos).Hashes;
        double house = rack.Farm.PoolView().Single(p => p.Url == House && p.User == "house." + bos).Hashes;
        Assert.InRange(customer / (customer + house), 0.65, 0.75);

        // Polls later, still applied and nothing more written.
        long writes = rack[0].GrpcWritesReceived;
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 3, Patience));
        Assert.Equal(writes, rack[0].GrpcWritesReceived);

        await rack.StopAgentAsync();
        List<string> written = EverythingWritten(rack);
        Assert.All(written, w => Assert.DoesNotContain(poolSecret, w, StringComparison.Ordinal));
    }

    /// <summary>
    /// The window behind the intermittent "racks never applied" of the end-to-end restart test: under load a BOS+ miner
    /// answered its gRPC login after the agent's deadline, the timeout surfaced as a cancellation the reconciler took
    /// for the agent stopping, and the reconciler (in the service host: the whole agent) ended, so its rack never
    /// reported that generation or any later one. Forced here by a miner that answers later than Agent:MinerTimeout.
    /// </summary>
    [Fact]
    public async Task A_bos_miner_answering_after_the_deadline_waits_while_the_rack_reports_the_generation_and_is_applied_once_it_answers()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["braiins-os", "antminer"], permissiveRpcWrites: false);
        string bos = rack[0].Id, stock = rack[1].Id;
        rack[0].GrpcReplyDelay = TimeSpan.FromMinutes(5); // far beyond Agent:MinerTimeout (2 s here)

        await rack.PublishDesiredAsync(PoolsRack.Desired(1,
            new MinerPoolAssignment(bos, [new PoolTarget(Customer, "cust." + bos, 0)], "c-1"),
            new MinerPoolAssignment(stock, [new PoolTarget(Customer, "cust." + stock, 0)], "c-1")));

        // Generation 1 is reported with the slow miner waiting (a timeout, retried once it answers) and the other applied.
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1
            && r.MinerStatus?.Any(s => s.MinerId == bos && s.State == ReportedMinerState.Waiting && (s.Reason ?? string.Empty).Contains("no answer", StringComparison.Ordinal)) == true
            && r.MinerStatus.Any(s => s.MinerId == stock && s.State == ReportedMinerState.Applied)), Patience), Dump(rack));
        Task reconciling = rack.Reconciler.ExecuteTask ?? throw new InvalidOperationException("the reconciler never started");
        Assert.False(reconciling.IsCompleted, "the reconciler ended: " + reconciling.Exception);
        Assert.Equal(0, rack[0].GrpcWritesReceived);

        // The miner answers again: the same generation goes in and the rack reports it applied.
        rack[0].GrpcReplyDelay = TimeSpan.Zero;
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1 && r.Applied == true), Patience), Dump(rack));
        Assert.Equal([(Customer, "cust." + bos)], rack.MiningOrder(0).Select(p => (p.Url, p.User)).ToArray());
        Assert.False(reconciling.IsCompleted, "the reconciler ended: " + reconciling.Exception);
    }

    [Fact]
    public async Task A_wrong_bos_password_fails_that_miner_alone_with_the_fix_and_never_shows_the_password()
    {
        const string wrong = "Wr0ng-Bos-Secret-28";
        await using PoolsRack rack = await PoolsRack.StartAsync(["braiins-os", "antminer"], permissiveRpcWrites: false, configure: o =>
        {
            o.MinerCredentials.Clear();
            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "antminer", Password = PoolsRack.WebPassword });
            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "braiins-os", Password = wrong });
        });
        string bos = rack[0].Id, stock = rack[1].Id;
        var before = rack.MiningOrder(0);

        await rack.PublishDesiredAsync(PoolsRack.Desired(1,
            new MinerPoolAssignment(bos, [new PoolTarget(Customer, "cust." + bos, 0)], "c-1"),
            new MinerPoolAssignment(stock, [new PoolTarget(Customer, "cust." + stock, 0)], "c-1")));

        await AssertWrongLoginContainedAsync(rack, before, wrong, "braiins-grpc", "Bad credentials", () => rack[0].GrpcLoginsRefused);
        Assert.Equal((0L, 0L), (rack[0].GrpcWritesReceived, rack[0].WriteCommandsReceived));
    }
}
