using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;

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
}
