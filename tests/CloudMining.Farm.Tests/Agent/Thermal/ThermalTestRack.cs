using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>
/// A simulated rack on a hand-moved clock for the thermal tests: simulated miners (their chips heat and cool with that
/// clock), the agent's real poller, a fake sysfs tree for fans and sensors, relays that really switch the simulated
/// miners, and the rack event bus.
/// </summary>
public sealed class ThermalTestRack : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private ThermalTestRack(SimulatedFarm farm, FakeTimeProvider clock, AgentOptions options, FakeThermalSysfs sysfs)
    {
        Farm = farm;
        Clock = clock;
        Options = options;
        Sysfs = sysfs;
        Logs = new InMemoryLoggerProvider();
        Events = new RackEventBus(Logs.CreateLogger<RackEventBus>());
        Tracker = new MinerHealthTracker(options.Miners.ToArray(), Logs.CreateLogger<MinerHealthTracker>());
        Poller = new RackPoller(Microsoft.Extensions.Options.Options.Create(options), MinerReaderFactory.Create(options), Tracker, clock);
        Power = new SimulatedMinerPower(farm.Miners);
    }

    public SimulatedFarm Farm { get; }

    public FakeTimeProvider Clock { get; }

    public AgentOptions Options { get; }

    public FakeThermalSysfs Sysfs { get; }

    public InMemoryLoggerProvider Logs { get; }

    public RackEventBus Events { get; }

    public MinerHealthTracker Tracker { get; }

    public RackPoller Poller { get; }

    public SimulatedMinerPower Power { get; set; }

    public SimulatedMiner this[int index] => Farm.Miners[index];

    /// <summary>Alarms raised so far with the given action.</summary>
    public IReadOnlyList<RackEvent> Alarms(string action) =>
        Events.Recent.Where(e => e.Kind == "alarm" && e.Action == action).ToList();

    /// <summary>Starts <paramref name="miners"/> antminers (none for fan-only tests) with fast boots on a manual clock, each in its own intake air.</summary>
    public static async Task<ThermalTestRack> StartAsync(int miners = 0, Func<int, double>? ambientCelsius = null)
    {
        var clock = new FakeTimeProvider();
        var sysfs = new FakeThermalSysfs();
        SimulatedFarm farm = miners == 0
            ? await SimulatedFarm.StartAsync([], FarmClocks.WithMining(clock))
            : await TestFarms.StartAsync("antminer", miners, clock, customize: (i, spec) => spec with
            {
                BootDelay = TimeSpan.FromSeconds(10),
                NoisePercent = 0,
                AmbientCelsius = ambientCelsius?.Invoke(i) ?? spec.AmbientCelsius,
            });
        var options = new AgentOptions
        {
            Site = "test",
            RackId = "T-01",
            PollInterval = PollInterval,
            MinerTimeout = TimeSpan.FromSeconds(2),
            RetryCount = 0,
            MaxConcurrency = 16,
            ProfilesDirectory = RepoPaths.FirmwareProfiles,
            StateDirectory = Path.Combine(Path.GetTempPath(), "farm-thermal-test-" + Guid.NewGuid().ToString("N")),
            Log = new LogOptions { Directory = null },
        };
        options.CircuitBreaker.FailureThreshold = 1000;
        options.Hardware.SysfsRoot = sysfs.Root;
        foreach (SimulatedMiner m in farm.Miners)
        {
            options.Miners.Add(new MinerOptions { Id = m.Id, Address = m.Endpoint.Host, Port = m.Endpoint.Port });
        }

        return new ThermalTestRack(farm, clock, options, sysfs);
    }

    /// <summary>Moves the clock one poll interval on and polls every miner, as the agent would every cycle.</summary>
    public async Task<IReadOnlyList<MinerPollStatus>> NextCycleAsync()
    {
        Clock.Advance(PollInterval);
        return await PollAsync();
    }

    /// <summary>Polls every miner once, as the polling service would, and returns their health.</summary>
    public async Task<IReadOnlyList<MinerPollStatus>> PollAsync()
    {
        await Poller.PollOnceAsync(CancellationToken.None);
        return Tracker.Current();
    }

    public async ValueTask DisposeAsync()
    {
        await Farm.DisposeAsync();
        Sysfs.Dispose();
        if (Directory.Exists(Options.StateDirectory))
        {
            Directory.Delete(Options.StateDirectory, recursive: true);
        }
    }
}
