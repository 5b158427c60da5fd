using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Shared.Wire;
using Xunit;
using WirePool = CloudMining.Farm.Shared.Wire.PoolTarget;

namespace CloudMining.Farm.Tests.Controller.Enforcement;

/// <summary>Allocation shares become the pools each miner should mine on.</summary>
public sealed class DesiredStateBuilderTests
{
    private static readonly HousePool House = new(CloudMining.Farm.Controller.Contracts.PoolAccount.Create("stratum+tcp://house.example:3333", "op.house"));

    private static readonly Dictionary<string, Contract> Sold = new()
    {
        ["c1"] = ControllerSamples.Contract("c1", 100),
        ["c2"] = ControllerSamples.Contract("c2", 50),
    };

    [Fact]
    public void Whole_miners_get_their_contract_pool_or_the_house_pool()
    {
        var assignments = new Dictionary<string, IReadOnlyList<PoolShare>>
        {
            ["m1"] = [new PoolShare("c1", 1)],
            ["m2"] = [new PoolShare(HousePool.AssigneeId, 1)],
            ["m3"] = [], // drained
        };

        IReadOnlyList<MinerPoolAssignment> desired = DesiredStateBuilder.Build(["m3", "m1", "m2"], assignments, Sold, House);

        Assert.Equal(["m1", "m2", "m3"], desired.Select(d => d.MinerId));
        Assert.Equal(new MinerPoolAssignment("m1", [], "c1") with { Pools = desired[0].Pools }, desired[0]);
        Assert.Equal([new WirePool("stratum+tcp://btc.pool.example:3333", "acct.c1", 0)], desired[0].Pools);
        Assert.Null(desired[1].ContractId);
        Assert.Equal([new WirePool("stratum+tcp://house.example:3333", "op.house", 0)], desired[1].Pools);
        Assert.Null(desired[2].ContractId);
        Assert.Equal([new WirePool("stratum+tcp://house.example:3333", "op.house", 0)], desired[2].Pools);
    }

    [Fact]
    public void Split_miner_gets_one_pool_per_share_with_quota_weights_in_thousandths()
    {
        var assignments = new Dictionary<string, IReadOnlyList<PoolShare>>
        {
            ["m1"] = [new PoolShare("c2", 0.125), new PoolShare("c1", 0.5), new PoolShare(HousePool.AssigneeId, 0.375)],
        };

        MinerPoolAssignment m1 = Assert.Single(DesiredStateBuilder.Build(["m1"], assignments, Sold, House));

        Assert.Equal("c1", m1.ContractId);
        Assert.Equal(
            [
                new WirePool("stratum+tcp://btc.pool.example:3333", "acct.c1", 0, 500),
                new WirePool("stratum+tcp://house.example:3333", "op.house", 1, 375),
                new WirePool("stratum+tcp://btc.pool.example:3333", "acct.c2", 2, 125),
            ],
            m1.Pools);
    }

    [Fact]
    public void Without_a_house_pool_unsold_miners_are_left_out()
    {
        var assignments = new Dictionary<string, IReadOnlyList<PoolShare>>
        {
            ["m1"] = [new PoolShare("c1", 1)],
            ["m2"] = [new PoolShare(HousePool.AssigneeId, 1)],
        };

        Assert.Equal(["m1"], DesiredStateBuilder.Build(["m1", "m2"], assignments, Sold, null).Select(d => d.MinerId));
    }
}
