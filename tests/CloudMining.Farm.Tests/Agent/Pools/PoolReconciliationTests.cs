using System.Text;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Agent.Telemetry;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using CloudMining.Farm.Simulator.Personalities;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

[Trait("Category", "Integration")]
public sealed class PoolReconciliationTests
{
    private const string Customer = "stratum+tcp://customer.pool.example:3333";
    private const string House = "stratum+ssl://house.pool.example:443";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly JsonSchemaSubsetValidatorSet Schemas = new();

    private static string Dump(PoolsRack rack) =>
        string.Join(Environment.NewLine, rack.Logs.Records.Where(r => r.Level >= LogLevel.Information && r.Category.Contains("Pool", StringComparison.Ordinal) || r.Level >= LogLevel.Warning).TakeLast(30).Select(r => $"{r.Level} {r.Message}"));

    private static MinerPoolAssignment CustomerFirst(string minerId, int? quota = null, string? contract = "c-1") =>
        new(minerId, [new PoolTarget(Customer, "cust." + minerId, 0, quota), new PoolTarget(House, "house." + minerId, 1)], contract);

    [Fact]
    public async Task Desired_pools_are_applied_to_several_firmwares_verified_by_read_back_and_by_the_pool_side_ledger()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["vnish", "braiins-os", "luxos", "avalon"]);
        string[] ids = [.. rack.Farm.Miners.Select(m => m.Id)];

        // Quotas only where the profile can set them (luxos through pool groups, avalon through poolquota); vnish (REST,
        // no quota) and braiins-os get failover pools.
        await rack.PublishDesiredAsync(PoolsRack.Desired(
            1,
            CustomerFirst(ids[0]),
            CustomerFirst(ids[1]),
            CustomerFirst(ids[2], quota: 3),
            CustomerFirst(ids[3], quota: 2)));

        Assert.True(
            await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1 && r.Applied == true), Patience),
            "reported generation 1 applied: " + Dump(rack));

        // Read back from the miners themselves: the desired pools, in order, and nothing else enabled.
        for (int i = 0; i < ids.Length; i++)
        {
            var order = rack.MiningOrder(i);
            Assert.Equal([(Customer, "cust." + ids[i]), (House, "house." + ids[i])], order.Select(p => (p.Url, p.User)).ToArray());
            Assert.True(rack[i].Snapshot().Pools.Single(p => p.Url == Customer).Active, $"{ids[i]} mines on the customer pool");
        }

        Assert.Equal(3, ((IMinerControls)rack[2]).Groups.Single(g => g.Id == 0).Quota); // LuxOS: the customer pool's group
        Assert.Equal(2, rack.MiningOrder(3)[0].Quota);

        // The pool side: shares for each miner's customer worker keep arriving; the old operator pools get nothing more.
        var before = rack.Farm.PoolView();
        Assert.True(
            await Eventually.TrueAsync(
                () =>
                {
                    var now = rack.Farm.PoolView();
                    return ids.All(id => Accepted(now, Customer, "cust." + id) > Accepted(before, Customer, "cust." + id));
                },
                Patience),
            "shares reach every customer worker");
        var after = rack.Farm.PoolView();
        foreach (PoolAccountView operatorAccount in before.Where(a => a.Url.Contains("operator", StringComparison.Ordinal)))
        {
            Assert.Equal(operatorAccount.AcceptedShares, after.Single(a => a.Url == operatorAccount.Url && a.User == operatorAccount.User).AcceptedShares);
        }

        // The report: generation, per-miner applied pools and status, retained, valid against the schema.
        ReportedPoolStatePayload report = rack.ReportedOnWire.Last(r => r.Applied == true);
        Assert.Empty(report.Errors);
        Assert.All(report.MinerStatus!, s => Assert.Equal((ReportedMinerState.Applied, 1L), (s.State, s.AppliedGeneration!.Value)));
        Assert.Equal(ids.Order(), report.Miners.Select(m => m.MinerId).Order());
        Assert.All(report.Miners, m => Assert.Equal(Customer, m.Pools[0].Url));
        Assert.All(report.Miners, m => Assert.Equal("c-1", m.ContractId));
        Assert.All(rack.Observed!.Messages.Where(m => m.Topic.EndsWith("/reported", StringComparison.Ordinal) || m.Topic.EndsWith("/events", StringComparison.Ordinal)), m =>
            Assert.Empty(Schemas.Validate(m.Payload.Span)));
        string? retained = await rack.RetainedAsync(FarmTopics.Reported(PoolsRack.Site, PoolsRack.RackId));
        Assert.NotNull(retained);
        Assert.Contains("\"applied\":true", retained, StringComparison.Ordinal);
        Assert.Equal(ids.Order(), rack.EventsOf("pools-applied").Select(e => e.MinerId!).Order());
        Assert.All(rack.EventsOf("pools-applied"), e => Assert.Contains($"now mining on {Customer}", e.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_identical_desired_state_sends_no_write_command()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os"]);
        string[] ids = [.. rack.Farm.Miners.Select(m => m.Id)];
        await rack.PublishDesiredAsync(PoolsRack.Desired(4, CustomerFirst(ids[0]), CustomerFirst(ids[1])));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 4, Applied: true }, Patience), Dump(rack));
        // Stock Antminer takes pools through its web CGI, Braiins OS+ through its gRPC API, the others through cgminer RPC: count all.
        long[] writes = [.. rack.Farm.Miners.Select(m => m.WriteCommandsReceived + m.WebWritesReceived + m.GrpcWritesReceived)];
        Assert.All(writes, w => Assert.True(w > 0));

        // The same pools under a new generation: verified against the polled pools, acknowledged, nothing sent.
        await rack.PublishDesiredAsync(PoolsRack.Desired(5, CustomerFirst(ids[0]), CustomerFirst(ids[1])));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 5, Applied: true }, Patience), Dump(rack));
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 3, Patience));

        Assert.Equal(writes, rack.Farm.Miners.Select(m => m.WriteCommandsReceived + m.WebWritesReceived + m.GrpcWritesReceived).ToArray());
        Assert.Equal(2, rack.EventsOf("pools-applied").Count);
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 5 && r.Applied == true), Patience));
    }

    [Fact]
    public async Task Desired_state_survives_an_agent_restart_and_is_enforced_from_disk_without_the_broker()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os"]);
        string[] ids = [.. rack.Farm.Miners.Select(m => m.Id)];
        await rack.PublishDesiredAsync(PoolsRack.Desired(7, CustomerFirst(ids[0]), CustomerFirst(ids[1])));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 7, Applied: true }, Patience), Dump(rack));
        await rack.StopAgentAsync();
        Assert.True(File.Exists(Path.Combine(rack.Options.StateDirectory, DesiredPoolStateStore.FileName)));

        // While the agent is down someone points both miners at a rogue pool through their own web pages.
        foreach (var miner in rack.Farm.Miners)
        {
            await Simulator.MinerWire.JsonAsync(miner.ListenEndPoint, "addpool", "stratum+tcp://rogue.example:3333,rogue.w,x");
            await Simulator.MinerWire.JsonAsync(miner.ListenEndPoint, "switchpool", "2");
        }

        Assert.All(Enumerable.Range(0, 2), i => Assert.Equal("stratum+tcp://rogue.example:3333", rack.MiningOrder(i)[0].Url));

        // The new agent has no broker at all: what it enforces can only come from its state directory.
        rack.Options.Mqtt.Host = null;
        await rack.StartAgentAsync();
        Assert.Equal(7, rack.Store.Current?.Generation);
        Assert.True(
            await Eventually.TrueAsync(() => Enumerable.Range(0, 2).All(i => rack.MiningOrder(i).Select(p => p.Url).SequenceEqual([Customer, House])), Patience),
            "the stored state is enforced again: " + Dump(rack));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 7, Applied: true }, Patience), Dump(rack));
        Assert.Contains(rack.Logs.Records, r => r.Message.Contains("Loaded desired pool state generation 7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_miner_is_reported_waiting_and_gets_its_pools_once_it_answers()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os"]);
        string[] ids = [.. rack.Farm.Miners.Select(m => m.Id)];
        rack[1].SetPower(false);
        Assert.True(await Eventually.TrueAsync(() => rack.Polling.LastCycle is { } c && c.Succeeded == 1, Patience));

        await rack.PublishDesiredAsync(PoolsRack.Desired(3, CustomerFirst(ids[0]), CustomerFirst(ids[1])));

        // The generation is reported once it was tried on every miner: applied on one, waiting on the other.
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 3), Patience), Dump(rack));
        ReportedPoolStatePayload first = rack.ReportedOnWire.First(r => r.Generation == 3);
        Assert.False(first.Applied);
        Assert.Equal(ReportedMinerState.Applied, first.MinerStatus!.Single(m => m.MinerId == ids[0]).State);
        Assert.Equal(ReportedMinerState.Waiting, first.MinerStatus!.Single(m => m.MinerId == ids[1]).State);
        Assert.StartsWith($"{ids[1]}: waiting: not answering", Assert.Single(first.Errors), StringComparison.Ordinal);
        Assert.Equal(0, rack[1].WriteCommandsReceived);
        Assert.Empty(rack.EventsOf("pools-failed"));

        rack[1].SetPower(true);
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 3 && r.Applied == true), Patience), Dump(rack));
        Assert.Equal([Customer, House], rack.MiningOrder(1).Select(p => p.Url).ToArray());
    }

    private static long Accepted(IReadOnlyList<PoolAccountView> view, string url, string user) =>
        view.FirstOrDefault(a => a.Url == url && a.User == user)?.AcceptedShares ?? 0;
}
