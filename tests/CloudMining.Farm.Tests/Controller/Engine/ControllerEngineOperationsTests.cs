using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>The engine's operator operations in-process: selling within capacity, ending, draining, rebalancing.</summary>
public sealed class ControllerEngineOperationsTests
{
    [Fact]
    public async Task Contract_beyond_free_capacity_is_refused_saying_how_much_is_free()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(racks: 2, perRack: 3, th: 100); // 600 TH/s, 60 units, no reserve
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        await farm.AddContractAsync("c1", 450);

        var refused = await Assert.ThrowsAsync<CapacityExceededException>(() => farm.AddContractAsync("c2", 200));
        Assert.Equal(15, refused.UnitsFree);
        Assert.Contains("only 15 unit(s) (150.00 TH/s)", refused.Message, StringComparison.Ordinal);
        Assert.Null(await farm.Engine.GetContractAsync("c2", CancellationToken.None));

        ContractView fits = await farm.AddContractAsync("c2", 150);
        Assert.Equal(ContractStatus.Active, fits.Status);
        CapacityView capacity = await farm.Engine.GetCapacityAsync(CancellationToken.None);
        Assert.Equal((60, 60, 0), (capacity.UnitsTotal, capacity.UnitsSold, capacity.UnitsFree));
    }

    [Fact]
    public async Task Bad_contract_input_names_the_field()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(TimeSpan.FromSeconds(10));
        DateTimeOffset now = farm.Clock.GetUtcNow();

        var hashrate = await Assert.ThrowsAsync<ContractValidationException>(() => farm.Engine.AddContractAsync(
            new NewContractRequest("c1", "alice", "lots", "stratum+tcp://p.example:3333", "alice.1", now, now.AddDays(1), null, 0, true), CancellationToken.None));
        Assert.Equal("hashrate", hashrate.Field);
        var days = await Assert.ThrowsAsync<ContractValidationException>(() => farm.Engine.AddContractAsync(
            new NewContractRequest("c1", "alice", "10 TH/s", "stratum+tcp://p.example:3333", "alice.1", now, null, null, 0, true), CancellationToken.None));
        Assert.Equal("negativeMarginDays", days.Field);

        await farm.AddContractAsync("c1", 10, worker: "alice.1");
        var reused = await Assert.ThrowsAsync<ContractValidationException>(() => farm.AddContractAsync("c2", 10, worker: "alice.1"));
        Assert.Equal("pool.worker", reused.Field);
        Assert.Contains("contract 'c1'", reused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => farm.AddContractAsync("c1", 10, worker: "alice.2"));
    }

    [Fact]
    public async Task Drained_miner_leaves_its_contract_and_another_covers_it_without_shortfall()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(racks: 2, perRack: 4, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        ContractView contract = await farm.AddContractAsync("c1", 300);
        Assert.Equal(300e12, contract.AllocatedHs, 1e9);
        string victim = contract.Shares[0].MinerId;
        long versionBefore = farm.Engine.Version;

        MinerView drained = await farm.Engine.SetDrainedAsync(victim, drained: true, CancellationToken.None);

        Assert.True(drained.Drained);
        Assert.Empty(drained.Shares);
        ContractView after = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.DoesNotContain(after.Shares, s => s.MinerId == victim);
        Assert.Equal(300e12, after.AllocatedHs, 1e9);
        Assert.Equal(versionBefore + 1, farm.Engine.Version);

        // The flag is durable: a restarted engine still keeps the miner out.
        await farm.CloseAsync();
        await farm.OpenAsync();
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        MinerView reloaded = (await farm.Engine.GetMinerAsync(victim, CancellationToken.None))!;
        Assert.True(reloaded.Drained);
        Assert.Empty(reloaded.Shares);
        Assert.Equal(300e12, (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!.AllocatedHs, 1e9);
    }

    [Fact]
    public async Task Rack_losing_power_moves_its_contract_shares_and_capacity_drops()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(racks: 3, perRack: 4, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        await farm.AddContractAsync("c1", 500);
        Assert.Equal(120, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).UnitsTotal);

        foreach (SimMiner m in farm.Miners.Values.Where(m => m.Rack == "r2"))
        {
            m.On = false;
        }

        await farm.RunAsync(TimeSpan.FromSeconds(90)); // past the 60 s staleness
        ContractView c1 = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.DoesNotContain(c1.Shares, s => s.Rack == "r2");
        Assert.Equal(500e12, c1.AllocatedHs, 1e9);
        Assert.Equal(80, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).UnitsTotal);
    }

    [Fact]
    public async Task Ending_a_contract_returns_its_miners_to_the_house_and_keeps_it_listed_as_ended()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 3, 100);
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        await farm.AddContractAsync("c1", 200);

        ContractView ended = await farm.Engine.EndContractAsync("c1", CancellationToken.None);

        Assert.Equal(ContractStatus.Ended, ended.Status);
        Assert.Empty(ended.Shares);
        AllocationView allocation = await farm.Engine.GetAllocationAsync(CancellationToken.None);
        Assert.Empty(allocation.Contracts);
        Assert.Equal(3, allocation.House.Count);
        Assert.Equal(300e12, allocation.HouseHashrateHs, 1e9);
        await Assert.ThrowsAsync<InvalidOperationException>(() => farm.Engine.EndContractAsync("c1", CancellationToken.None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => farm.Engine.EndContractAsync("nope", CancellationToken.None));
        Assert.Equal(ContractStatus.Ended, Assert.Single(await farm.Engine.GetContractsAsync(CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Rebalance_dry_run_lists_moves_without_applying_them()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync(o => o.AutoRebalance = false);
        farm.WithMiners(2, 2, 100);
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        await farm.AddContractAsync("c1", 100);
        ContractView before = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        string miner = Assert.Single(before.Shares).MinerId;
        farm.Miners[miner].On = false;
        await farm.RunAsync(TimeSpan.FromSeconds(90));
        long version = farm.Engine.Version;

        RebalanceView dry = await farm.Engine.RebalanceAsync(apply: false, CancellationToken.None);
        Assert.False(dry.Applied);
        Assert.Equal(version + 1, dry.Version);
        Assert.Contains(dry.Moves, m => m.MinerId == miner && m.From.Contains("c1", StringComparison.Ordinal));
        Assert.Equal(version, farm.Engine.Version);

        RebalanceView applied = await farm.Engine.RebalanceAsync(apply: true, CancellationToken.None);
        Assert.True(applied.Applied);
        Assert.Equal(version + 1, farm.Engine.Version);
        Assert.DoesNotContain((await farm.Engine.GetContractAsync("c1", CancellationToken.None))!.Shares, s => s.MinerId == miner);
    }

    [Fact]
    public async Task Restarted_controller_keeps_the_stored_allocation_while_the_fleet_reports_in()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(racks: 2, perRack: 3, th: 100, profile: "antminer");
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        await farm.AddContractAsync("c1", 250);
        await farm.AddContractAsync("c2", 120);
        await farm.RunAsync(TimeSpan.FromSeconds(30));
        long version = farm.Engine.Version;
        AllocationView before = await farm.Engine.GetAllocationAsync(CancellationToken.None);

        // A new process: nothing heard yet when the first tick runs.
        await farm.CloseAsync();
        await farm.OpenAsync(freshFleet: true);
        await farm.Engine.TickAsync(CancellationToken.None);
        Assert.Equal(version, farm.Engine.Version);
        await farm.RunAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(version, farm.Engine.Version);
        AllocationView after = await farm.Engine.GetAllocationAsync(CancellationToken.None);
        Assert.Equal(
            before.Contracts.SelectMany(c => c.Shares).Select(s => (s.MinerId, s.Assignee, s.Fraction)),
            after.Contracts.SelectMany(c => c.Shares).Select(s => (s.MinerId, s.Assignee, s.Fraction)));
        Assert.Empty((await farm.Engine.RebalanceAsync(apply: false, CancellationToken.None)).Moves);
    }
}
