using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Tests.Controller.Engine;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Proof;

/// <summary>The engine measures each contract at its pool and rebalances on sustained, not momentary, under-delivery.</summary>
public sealed class ProofRebalanceTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Delivered_hashrate_is_measured_at_the_contract_pool()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(racks: 2, perRack: 3, th: 100);
        await farm.RunAsync(Step, Step);
        await farm.AddContractAsync("c1", 200);
        await farm.RunAsync(TimeSpan.FromMinutes(20), Step);

        ContractView c1 = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.NotNull(c1.DeliveredHs);
        Assert.InRange(c1.DeliveredHs!.Value / 200e12, 0.99, 1.01);
        Assert.Equal(0, farm.Engine.ProofRebalances);
    }

    [Fact]
    public async Task Short_dip_does_not_rebalance_and_a_sustained_one_does_once()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync(o => o.ProofHoldMin = 30);
        farm.WithMiners(racks: 2, perRack: 4, th: 100, profile: "antminer"); // quota-capable: allocations are exact
        await farm.RunAsync(Step, Step);
        await farm.AddContractAsync("c1", 200);
        await farm.RunAsync(TimeSpan.FromMinutes(20), Step);
        List<SimMiner> serving = [.. farm.Miners.Values];

        // Short dip: the customer's pool accepts 20 % less for 10 minutes (stale shares on a slow link), then recovers.
        serving.ForEach(m => m.Effectiveness = 0.8);
        await farm.RunAsync(TimeSpan.FromMinutes(10), Step);
        serving.ForEach(m => m.Effectiveness = 1);
        await farm.RunAsync(TimeSpan.FromMinutes(40), Step);
        Assert.Equal(0, farm.Engine.ProofRebalances);
        Assert.Equal(200e12, (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!.AllocatedHs, 1e9);

        // Sustained: the same loss for an hour and a half. One rebalance, which allocates more to make up for it.
        serving.ForEach(m => m.Effectiveness = 0.8);
        await farm.RunAsync(TimeSpan.FromMinutes(90), Step);
        Assert.Equal(1, farm.Engine.ProofRebalances);
        ContractView after = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.Equal(250e12, after.AllocatedHs, 250e12 * 0.02);
        Assert.InRange(after.DeliveredHs!.Value / 200e12, 0.95, 1.05);
    }

    [Fact]
    public async Task Whole_miners_rounding_a_contract_up_is_not_over_delivery()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync(o => o.ProofHoldMin = 10);
        farm.WithMiners(racks: 2, perRack: 3, th: 100); // no quota support: 250 TH/s takes three whole miners
        await farm.RunAsync(Step, Step);
        await farm.AddContractAsync("c1", 250);
        await farm.RunAsync(TimeSpan.FromMinutes(60), Step);

        ContractView c1 = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.Equal(300e12, c1.AllocatedHs, 1e9);
        Assert.InRange(c1.DeliveredHs!.Value / 300e12, 0.99, 1.01);
        Assert.Equal(0, farm.Engine.ProofRebalances);
    }
}
