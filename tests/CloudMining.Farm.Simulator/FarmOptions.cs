using System.Net;
using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Simulator;

/// <summary>A farm built from a count: N miners on consecutive loopback addresses (or ports), firmwares assigned round robin.</summary>
public sealed record FarmOptions
{
    public int Miners { get; init; } = 1;

    /// <summary>Personalities assigned round robin ("antminer", "braiins-os", ...).</summary>
    public IReadOnlyList<string> Firmwares { get; init; } = ["antminer"];

    /// <summary>Models assigned round robin within each firmware's catalog; empty uses each firmware's default.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>First miner's address; the next ones count up (skipping .0 and .255) unless SharedAddress.</summary>
    public IPAddress BaseAddress { get; init; } = IPAddress.Parse("127.0.1.1");

    /// <summary>Port every miner listens on, or the first port when SharedAddress; 0 lets the kernel pick.</summary>
    public int Port { get; init; } = 4028;

    /// <summary>All miners on BaseAddress with consecutive ports from Port, instead of one address each.</summary>
    public bool SharedAddress { get; init; }

    public int Seed { get; init; } = 1;

    public bool WriteAccess { get; init; }

    /// <summary>See <see cref="MinerSpec.PermissiveRpcWrites"/>.</summary>
    public bool PermissiveRpcWrites { get; init; }

    /// <summary>Web interface port of every miner whose firmware has one (consecutive from it with SharedAddress); null: none; 0: kernel picks.</summary>
    public int? WebPort { get; init; }

    /// <summary>Pools every miner starts with; empty gives each miner two pools of the simulated operator.</summary>
    public IReadOnlyList<PoolDefinition> Pools { get; init; } = [];

    public PoolStrategy Strategy { get; init; } = PoolStrategy.Failover;

    /// <summary>Applied to every generated spec last, to tune behaviour per miner (index, spec) → spec.</summary>
    public Func<int, MinerSpec, MinerSpec>? Customize { get; init; }

    /// <summary>Builds the specs these options describe.</summary>
    public IReadOnlyList<MinerSpec> BuildSpecs()
    {
        if (Miners < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Miners), Miners, "The miner count cannot be negative.");
        }

        if (Firmwares.Count == 0)
        {
            throw new ArgumentException("Name at least one firmware personality.", nameof(Firmwares));
        }

        var specs = new List<MinerSpec>(Miners);
        IPAddress address = BaseAddress;
        for (int i = 0; i < Miners; i++)
        {
            string firmware = Firmwares[i % Firmwares.Count];
            IReadOnlyList<PoolDefinition> pools = Pools.Count > 0
                ? Pools
                : [new PoolDefinition("stratum+tcp://pool.operator.example:3333", $"operator.sim{i + 1:D4}"),
                   new PoolDefinition("stratum+tcp://backup.operator.example:3333", $"operator.sim{i + 1:D4}")];
            var spec = new MinerSpec
            {
                Id = $"sim-{i + 1:D4}",
                Firmware = firmware,
                Model = Models.Count > 0 ? Models[i % Models.Count] : null,
                Address = SharedAddress ? BaseAddress : address,
                Port = SharedAddress && Port != 0 ? Port + i : Port,
                WriteAccess = WriteAccess,
                PermissiveRpcWrites = PermissiveRpcWrites,
                WebPort = WebPort is { } web && SharedAddress && web != 0 ? web + i : WebPort,
                // Whatsminer API v3 listens on 4433 of the miner's own address; miners sharing one address get kernel-chosen ports.
                ApiV3Port = SharedAddress ? 0 : 4433,
                Seed = unchecked((Seed * 7919) + i),
                Pools = pools,
                Strategy = Strategy,
            };
            specs.Add(Customize is null ? spec : Customize(i, spec));
            if (!SharedAddress)
            {
                address = LoopbackAddresses.Next(address);
            }
        }

        return specs;
    }
}
