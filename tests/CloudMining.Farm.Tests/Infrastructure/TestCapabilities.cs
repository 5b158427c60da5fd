using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware.Channels;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>Miner capabilities as an agent would report them, for controller tests that feed the fleet state by hand.</summary>
internal static class TestCapabilities
{
    /// <summary>Every operation available through <paramref name="channel"/>; quota shares when <paramref name="quota"/>.</summary>
    public static MinerCapabilities Writable(string minerId, string profile, bool quota, string channel = WriteChannelNames.CgminerRpc) => new()
    {
        MinerId = minerId,
        Profile = profile,
        Operations = [.. Enum.GetValues<MinerOperation>().Select(o => new OperationCapability(WriteChannelNames.Of(o), true, channel, Verified: true))],
        PoolQuota = quota ? PoolQuotaStyles.CgminerQuota : PoolQuotaStyles.None,
        QuotaStep = quota ? 1 : null,
    };

    /// <summary>Pools cannot be set, for <paramref name="reason"/> with the given why and fix.</summary>
    public static MinerCapabilities PoolsUnavailable(string minerId, string profile, string reason, string why, string fix, string channel = WriteChannelNames.BitmainWeb) => new()
    {
        MinerId = minerId,
        Profile = profile,
        Operations = [.. Enum.GetValues<MinerOperation>().Select(o => new OperationCapability(WriteChannelNames.Of(o), false, channel, Reason: reason, Why: why, Fix: fix))],
    };
}
