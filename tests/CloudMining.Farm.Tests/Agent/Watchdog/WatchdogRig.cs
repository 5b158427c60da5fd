using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Agent.Watchdog;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Power;
using CloudMining.Farm.Tests.Agent.Power;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Tests.Agent.Watchdog;

/// <summary>
/// A simulated rack under the real poller, relay controller and watchdog, all on one manual clock: the miners'
/// power follows their simulated relay lines. <see cref="TickAsync"/> is one poll interval: move the clock, poll,
/// let the watchdog act (moving the clock while it waits out relay timings).
/// </summary>
public sealed class WatchdogRig : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);

    private readonly RelayAttachment _wiring;
    private readonly RackPoller _poller;

    private WatchdogRig(SimulatedFarm farm, AgentOptions options, CountingFakeTimeProvider clock, bool relays)
    {
        Farm = farm;
        Options = options;
        Clock = clock;
        Chip = new GpioDriverSimulator(16);
        var map = relays ? farm.Miners.Select((m, i) => new SimulatedRelay(m.Id, i)).ToList() : [];
        _wiring = farm.AttachRelays(Chip, map);
        foreach (SimulatedRelay r in map)
        {
            options.Hardware.Relays.Add(new RelayOptions { Outlet = $"PDU-A/{r.Line}", Miner = r.MinerId, Line = r.Line });
        }

        Events = new RackEventBus(NullLogger<RackEventBus>.Instance);
        Relays = new RelayController(Chip, options.Hardware.Relays, options.Power, Events, clock, NullLogger<RelayController>.Instance);
        Relays.Open();
        var tracker = new MinerHealthTracker(options.Miners.ToArray(), NullLogger<MinerHealthTracker>.Instance);
        _poller = new RackPoller(Microsoft.Extensions.Options.Options.Create(options), MinerReaderFactory.Create(options), tracker, clock);
        Watchdog = NewWatchdog();
    }

    public SimulatedFarm Farm { get; }

    public AgentOptions Options { get; }

    public CountingFakeTimeProvider Clock { get; }

    public GpioDriverSimulator Chip { get; }

    public RackEventBus Events { get; }

    public RelayController Relays { get; }

    public MinerWatchdog Watchdog { get; private set; }

    public IReadOnlyList<MinerPollStatus> Health => _poller.Tracker.Current();

    /// <summary>The watchdog and relay events so far, as "kind:action" (optionally for one miner).</summary>
    public List<string> Trail(string? minerId = null) => Events.Recent
        .Where(e => minerId is null || e.MinerId == minerId || e.MinerId is null)
        .Select(e => $"{e.Kind}:{e.Action}")
        .ToList();

    /// <summary>
    /// A rack of simulated stock Antminers. <paramref name="web"/>: each serves its web CGI (Digest root/root, the login
    /// the rig configures), so the watchdog's restart (routed to reboot.cgi) reaches it; without, the restart cannot.
    /// <paramref name="realistic"/>: the cgminer API refuses writes with Code 45, as stock firmware does.
    /// </summary>
    public static async Task<WatchdogRig> StartAsync(int miners = 1, bool relays = true, Action<AgentOptions>? configure = null, bool web = false, bool realistic = false)
    {
        var clock = new CountingFakeTimeProvider();
        SimulatedFarm farm = await TestFarms.StartAsync("antminer", miners, clock, writeAccess: true, permissiveRpcWrites: !realistic,
            customize: (_, s) => s with { BootDelay = TimeSpan.FromSeconds(30), RestartDelay = TimeSpan.FromSeconds(10), NoisePercent = 0, WebPort = web ? 0 : null });
        var options = new AgentOptions
        {
            Site = "test",
            RackId = "W-01",
            PollInterval = PollInterval,
            MinerTimeout = TimeSpan.FromMilliseconds(300),
            RetryCount = 0,
            MaxConcurrency = 16,
            ProfilesDirectory = RepoPaths.FirmwareProfiles,
            StateDirectory = Path.Combine(Path.GetTempPath(), "farm-agent-watchdog-" + Guid.NewGuid().ToString("N")),
        };
        options.CircuitBreaker.FailureThreshold = 1000;
        options.Power.MinOffTime = TimeSpan.FromSeconds(10);
        options.Power.PowerUpGap = TimeSpan.FromSeconds(5);
        options.Watchdog.Window = TimeSpan.FromMinutes(3);
        foreach (SimulatedMiner m in farm.Miners)
        {
            options.Miners.Add(new MinerOptions { Id = m.Id, Address = m.Endpoint.Host, Port = m.Endpoint.Port, Profile = "antminer", WebPort = m.WebEndPoint?.Port });
        }

        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "antminer", Password = "root" });

        configure?.Invoke(options);
        return new WatchdogRig(farm, options, clock, relays);
    }

    /// <summary>A fresh watchdog on the same state directory, as after an agent restart.</summary>
    public MinerWatchdog NewWatchdog()
    {
        var restarter = new MinerRestarter(FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles), MinerChannels.Create(Options));
        Watchdog = new MinerWatchdog(Options, Relays, restarter, Events, Clock, NullLogger<MinerWatchdog>.Instance);
        return Watchdog;
    }

    /// <summary>One poll interval: the clock moves on, the rack is polled, the watchdog acts on what it saw.</summary>
    public async Task TickAsync()
    {
        Clock.Advance(PollInterval);
        await _poller.PollOnceAsync(CancellationToken.None);
        await ClockPump.RunAsync(Watchdog.ObserveAsync(Health, CancellationToken.None), Clock, TimeSpan.FromSeconds(1));
    }

    public async Task TicksAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await TickAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _wiring.Dispose();
        Relays.Dispose();
        Watchdog.Dispose();
        await Farm.DisposeAsync();
        if (Directory.Exists(Options.StateDirectory))
        {
            Directory.Delete(Options.StateDirectory, recursive: true);
        }
    }
}
