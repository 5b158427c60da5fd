using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>Miners whose pools cannot be set are not sold (CapabilityJudgeTests: from the reported capabilities; the end-to-end tests show the effect at the pools).</summary>
public sealed class PoolsReadOnlyTests
{
    [Fact]
    public void Read_only_miner_is_healthy_but_not_sellable()
    {
        var miner = new Miner("m1", "r1", "r1", "whatsminer", false, Hashrate.FromTerahashes(100), MinerHealth.Healthy, false);

        Assert.True(miner.IsSellable);
        Assert.False((miner with { PoolsReadOnly = true }).IsSellable);
        Assert.Equal(Hashrate.Zero, (miner with { PoolsReadOnly = true }).SellableHashrate);
    }
}
