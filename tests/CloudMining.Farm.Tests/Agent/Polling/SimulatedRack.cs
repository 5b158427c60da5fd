using System.Net;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Tests.Agent.Polling;

/// <summary>A simulated rack on its own loopback block plus the agent options that describe it, for the polling tests.</summary>
public sealed class SimulatedRack : IAsyncDisposable
{
    // 127.230.x.1 and up: away from the simulator tests' blocks (127.20-219) and the demo (127.0.1.x).
    private static int _block = Random.Shared.Next(0, 20 * 250);

    private SimulatedRack(SimulatedFarm farm, AgentOptions options)
    {
        Farm = farm;
        Options = options;
    }

    public SimulatedFarm Farm { get; }

    public AgentOptions Options { get; }

    public SimulatedMiner this[int index] => Farm.Miners[index];

    /// <summary>Starts the farm with a mix of firmwares and fast boots, and options polling it every <paramref name="interval"/>.</summary>
    /// <param name="web">Give every miner its web (or gRPC) interface on a kernel-chosen port, and the rack options that port (Agent:Miners:N:WebPort).</param>
    /// <param name="customize">Changes each miner's spec (its web password, say) after the rack's own settings.</param>
    public static async Task<SimulatedRack> StartAsync(int miners, TimeSpan interval, TimeSpan minerTimeout, int retries = 0, int failureThreshold = 100, bool nominal = false, string[]? firmwares = null,
        bool web = false, Func<MinerSpec, MinerSpec>? customize = null)
    {
        int b = Interlocked.Increment(ref _block);
        SimulatedFarm farm = await SimulatedFarm.StartAsync(new FarmOptions
        {
            Miners = miners,
            Firmwares = firmwares ?? ["antminer", "braiins-os"],
            BaseAddress = IPAddress.Parse($"127.{230 + (b / 250 % 20)}.{b % 250}.1"),
            Port = 0,
            Customize = (_, spec) =>
            {
                MinerSpec fast = spec with { BootDelay = TimeSpan.FromMilliseconds(300), RestartDelay = TimeSpan.FromMilliseconds(300), WebPort = web ? 0 : spec.WebPort };
                return customize is null ? fast : customize(fast);
            },
        });

        var options = new AgentOptions
        {
            Site = "test",
            RackId = "T-01",
            PollInterval = interval,
            MinerTimeout = minerTimeout,
            RetryCount = retries,
            RetryDelay = TimeSpan.FromMilliseconds(50),
            MaxConcurrency = 16,
            ProfilesDirectory = RepoPaths.FirmwareProfiles,
            StateDirectory = Path.Combine(Path.GetTempPath(), "farm-agent-test-" + Guid.NewGuid().ToString("N")),
            Log = new LogOptions { Directory = null },
        };
        options.CircuitBreaker.FailureThreshold = failureThreshold;
        options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(60);
        foreach (SimulatedMiner m in farm.Miners)
        {
            options.Miners.Add(new MinerOptions
            {
                Id = m.Id,
                Address = m.Endpoint.Host,
                Port = m.Endpoint.Port,
                NominalHashrate = nominal ? $"{m.Model.NominalTerahash} TH/s" : null,
                WebPort = web ? m.WebEndPoint?.Port : null,
            });
        }

        return new SimulatedRack(farm, options);
    }

    public RackPoller CreatePoller(InMemoryLoggerProvider logs, TimeProvider time)
    {
        var tracker = new MinerHealthTracker(Options.Miners.ToArray(), logs.CreateLogger<MinerHealthTracker>());
        return new RackPoller(Microsoft.Extensions.Options.Options.Create(Options), MinerReaderFactory.Create(Options), tracker, time);
    }

    public async ValueTask DisposeAsync()
    {
        await Farm.DisposeAsync();
        if (Directory.Exists(Options.StateDirectory))
        {
            Directory.Delete(Options.StateDirectory, recursive: true);
        }
    }
}
