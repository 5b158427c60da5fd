using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

/// <summary>What the write-channel tests share: two pools, the repository's firmware profiles, a writer, and one realistic simulated miner.</summary>
internal static class ChannelKit
{
    public const string Customer = "stratum+tcp://customer.pool.example:3333";
    public const string House = "stratum+tcp://house.pool.example:3333";

    public static readonly FirmwareProfileCatalog Profiles = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    /// <summary>A writer over every channel, as the agent builds it, with a 5 s timeout per exchange.</summary>
    public static MinerWriter Writer() => MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions()), TimeSpan.FromSeconds(5));

    /// <summary>
    /// One realistic miner of <paramref name="firmware"/>: cgminer writes answered as the real firmware answers them, writes
    /// allowed from the test's address, its web/gRPC port chosen by the kernel, share difficulty 256 so pool-side counts move.
    /// </summary>
    public static Task<SimulatedFarm> RealisticAsync(string firmware, string? model = null, Func<MinerSpec, MinerSpec>? customize = null) =>
        TestFarms.StartAsync(firmware, writeAccess: true, permissiveRpcWrites: false, model: model,
            customize: (_, s) =>
            {
                MinerSpec realistic = s with { WebPort = 0, PermissiveRpcWrites = false, ShareDifficulty = 256 };
                return customize is null ? realistic : customize(realistic);
            });

    /// <summary>Reads the miner through the agent's normal read path (its profile's commands, the decoder) and returns its snapshot; fails the test when the read fails.</summary>
    public static async Task<Shared.Snapshots.MinerSnapshot> ReadBackAsync(SimulatedMiner m, string profile)
    {
        var reader = new MinerReader(Profiles, new MinerApiClient(new MinerApiClientOptions()));
        MinerReadResult read = await reader.ReadAsync(m.Endpoint, profile, CancellationToken.None);
        Assert.True(read.IsSuccess, read.Error?.ToString());
        return read.Snapshot!;
    }

    /// <summary>The pools in priority order as (url, worker).</summary>
    public static (string Url, string? User)[] PoolOrder(Shared.Snapshots.MinerSnapshot snapshot) =>
        snapshot.Pools.OrderBy(p => p.Priority).Select(p => (p.Url, p.User)).ToArray();

    /// <summary>Waits until the simulated pool side has accepted shares from <paramref name="worker"/> at <paramref name="url"/>.</summary>
    public static async Task AssertSharesAtPoolAsync(SimulatedFarm farm, string url, string worker) =>
        Assert.True(await Eventually.TrueAsync(() => farm.PoolView().Any(p => p.Url == url && p.User == worker && p.AcceptedShares > 0), TimeSpan.FromSeconds(20)),
            $"no accepted shares from {worker} at {url} on the simulated pool side");

    /// <summary>Pause stops hashing, resume starts it again, both through <paramref name="writer"/>.</summary>
    public static async Task AssertPauseAndResumeAsync(MinerWriter writer, ChannelTarget target, SimulatedMiner m)
    {
        Assert.True((await writer.RunAsync(target, MinerOperation.Pause, CancellationToken.None)).Succeeded);
        Assert.True(m.Sleeping);
        Assert.True(await Eventually.TrueAsync(() => m.Snapshot().Hash5s == 0, TimeSpan.FromSeconds(15)));
        Assert.True((await writer.RunAsync(target, MinerOperation.Resume, CancellationToken.None)).Succeeded);
        Assert.False(m.Sleeping);
    }
}
