using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>Miners whose firmware cannot change pools are not sold (the end-to-end tests show the effect at the pools).</summary>
public sealed class PoolsReadOnlyTests
{
    [Fact]
    public void Profiles_without_an_addPool_action_are_read_only_and_the_others_are_not()
    {
        QuotaSupport support = QuotaSupport.FromCatalog(FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles));

        Assert.False(support.PoolsReadOnly("whatsminer")); // pools through its privileged API (whatsminer-v2 channel)
        Assert.False(support.PoolsReadOnly("whatsminer-v3"));
        Assert.True(new QuotaSupport([], ["acme"]).PoolsReadOnly("acme")); // a profile with no pool channel
        Assert.False(support.PoolsReadOnly("antminer"));
        Assert.False(support.PoolsReadOnly("braiins-os"));
        Assert.False(support.PoolsReadOnly(null));
        Assert.False(new QuotaSupport(["antminer"]).PoolsReadOnly("whatsminer")); // unknown means writable, as before
    }

    [Fact]
    public void Read_only_miner_is_healthy_but_not_sellable()
    {
        var miner = new Miner("m1", "r1", "r1", "whatsminer", false, Hashrate.FromTerahashes(100), MinerHealth.Healthy, false);

        Assert.True(miner.IsSellable);
        Assert.False((miner with { PoolsReadOnly = true }).IsSellable);
        Assert.Equal(Hashrate.Zero, (miner with { PoolsReadOnly = true }).SellableHashrate);
    }
}
