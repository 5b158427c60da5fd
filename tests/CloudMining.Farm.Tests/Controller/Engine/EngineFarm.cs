using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>
/// A synthetic farm for engine tests: racks of miners whose telemetry (hashrate, power, cumulative accepted difficulty
/// on the pools the engine asked for) is folded into a real <see cref="FleetState"/> at a manual clock, and an engine
/// over a real SQLite store file.
/// </summary>
internal sealed class EngineFarm : IAsyncDisposable
{
    public const string Site = "s1";
    public const string HouseUrl = "stratum+tcp://house.pool.example:3333";
    public const string HouseWorker = "op.house";

    private readonly Dictionary<string, SimMiner> _miners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentState> _agentStates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);
    private long _seq;
    private ServiceProvider? _provider;

    private EngineFarm(string directory, FakeTimeProvider clock, EngineOptions options)
    {
        Directory = directory;
        Clock = clock;
        Options = options;
        Fleet = new FleetState(clock);
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "controller.db");

    public FakeTimeProvider Clock { get; }

    public EngineOptions Options { get; }

    public FleetState Fleet { get; private set; }

    public SqliteControllerStore Store { get; private set; } = null!;

    public ControllerEngine Engine { get; private set; } = null!;

    public IReadOnlyDictionary<string, SimMiner> Miners => _miners;

    /// <summary>Racks whose agent is older than capabilities: its statuses never carry them.</summary>
    public ISet<string> OldAgentRacks { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>What the engine logged.</summary>
    public InMemoryLoggerProvider Log { get; } = new();

    /// <summary>The ingest client's connection as the engine sees it; null: the engine counts as connected from its first tick.</summary>
    public BrokerOutageGate? Broker { get; private set; }

    public static async Task<EngineFarm> StartAsync(Action<EngineOptions>? configure = null, FakeTimeProvider? clock = null, string? directory = null, IFarmPublisher? publisher = null, BrokerOutageGate? broker = null)
    {
        var options = new EngineOptions
        {
            HousePoolUrl = HouseUrl,
            HouseWorker = HouseWorker,
            UnitSizeTh = 10,
            ReservePercent = 0,
            ProofWindowMin = 15,
            ProofHoldMin = 30,

            // These tests are about what the engine does with miners it sells; probation has its own tests.
            ProbationReadings = 1,
            ProbationMin = 0,
        };
        configure?.Invoke(options);
        var farm = new EngineFarm(directory ?? System.IO.Directory.CreateTempSubdirectory("farm-engine-").FullName, clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero)), options) { Broker = broker };
        await farm.OpenAsync(publisher);
        return farm;
    }

    /// <summary>Opens (again) the store file and a fresh engine over it, as after a restart; <paramref name="freshFleet"/>: as after a process restart, nothing heard yet.</summary>
    public async Task OpenAsync(IFarmPublisher? publisher = null, bool freshFleet = false)
    {
        if (freshFleet)
        {
            // The agents' retained statuses (with their capabilities) reach the new process again with the next report.
            Fleet = new FleetState(Clock);
            _announced.Clear();
        }

        Store = await SqliteControllerStore.OpenAsync(DatabasePath, CancellationToken.None);

        // As in farm-controller run: the container builds the engine and its parts.
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Log));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(Options));
        services.AddSingleton(new ControllerSite(Site));
        services.AddSingleton(Fleet);
        services.AddSingleton<IControllerStore>(Store);
        services.AddSingleton<TimeProvider>(Clock);
        if (publisher is not null)
        {
            services.AddSingleton(publisher);
        }

        if (Broker is not null)
        {
            services.AddSingleton(Broker);
        }

        services.AddControllerEngine();
        _provider = services.BuildServiceProvider();
        Engine = _provider.GetRequiredService<ControllerEngine>();
    }

    /// <summary>Stops the engine and closes the store, keeping the file and the fleet (the agents keep reporting).</summary>
    public async Task CloseAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
            _provider = null;
        }

        await Store.DisposeAsync();
    }

    /// <summary>Adds <paramref name="perRack"/> miners of <paramref name="th"/> TH/s to each of <paramref name="racks"/> racks.</summary>
    public EngineFarm WithMiners(int racks, int perRack, double th, string profile = "antminer-stock", double watts = 3000)
    {
        for (int r = 1; r <= racks; r++)
        {
            for (int k = 1; k <= perRack; k++)
            {
                string id = $"r{r}-m{k:00}";
                _miners[id] = new SimMiner(id, $"r{r}", profile, th * 1e12, watts);
            }
        }

        return this;
    }

    /// <summary>Adds one miner (e.g. an id the engine has never seen) to a rack.</summary>
    public SimMiner AddMiner(string id, string rack, double th, string profile = "antminer-stock", double watts = 3000)
    {
        var miner = new SimMiner(id, rack, profile, th * 1e12, watts);
        _miners[id] = miner;
        return miner;
    }

    /// <summary>A rack's agent says online or offline (its last will), received now, with its miners' capabilities.</summary>
    public void AgentStatus(string rack, AgentState state)
    {
        _agentStates[rack] = state;
        SimMiner[] rackMiners = [.. _miners.Values.Where(m => m.Rack == rack)];
        _announced.UnionWith(rackMiners.Select(m => m.Id));
        Fleet.Apply(new AgentStatusPayload
        {
            Publisher = $"agent-{Site}-{rack}", Seq = ++_seq, Timestamp = Clock.GetUtcNow(), Site = Site, Rack = rack, State = state,
            Capabilities = OldAgentRacks.Contains(rack) ? null : [.. rackMiners.Select(m => m.Reported)],
            AgentVersion = OldAgentRacks.Contains(rack) ? "0.9.0" : null,
        });
    }

    /// <summary>A rack's agent reports every operation available for <paramref name="minerIds"/> (miners fed without <see cref="SimMiner"/>).</summary>
    public void Capable(string rack, IEnumerable<string> minerIds) =>
        Fleet.Apply(new AgentStatusPayload
        {
            Publisher = $"agent-{Site}-{rack}", Seq = ++_seq, Timestamp = Clock.GetUtcNow(), Site = Site, Rack = rack, State = _agentStates.GetValueOrDefault(rack, AgentState.Online),
            Capabilities = [.. minerIds.Select(id => TestCapabilities.Writable(id, "antminer", quota: false))],
        });

    /// <summary>The rack's agent reports its miners' capabilities again (after a test changed <see cref="SimMiner.Capabilities"/>).</summary>
    public void ReportCapabilities(string rack) => AgentStatus(rack, _agentStates.GetValueOrDefault(rack, AgentState.Online));

    /// <summary>Ticks the engine every <paramref name="step"/> for <paramref name="duration"/> while no telemetry arrives.</summary>
    public async Task TickSilentlyAsync(TimeSpan duration, TimeSpan? step = null)
    {
        TimeSpan s = step ?? TimeSpan.FromSeconds(10);
        for (TimeSpan done = TimeSpan.Zero; done < duration; done += s)
        {
            Clock.Advance(s);
            await Engine.TickAsync(CancellationToken.None);
        }
    }

    public Task<ContractView> AddContractAsync(string id, double th, string? worker = null) =>
        Engine.AddContractAsync(
            new NewContractRequest(id, "cust-" + id, $"{th} TH/s", "stratum+tcp://customer.pool.example:3333", worker ?? "acct." + id, Clock.GetUtcNow(), Clock.GetUtcNow().AddDays(30), null, 0.24m, true),
            CancellationToken.None);

    /// <summary>
    /// Advances the clock by <paramref name="step"/>, lets every miner work for it on the pools the engine's current
    /// allocation points it at (quota shares split the work), publishes their telemetry into the fleet, and ticks.
    /// </summary>
    public async Task RunAsync(TimeSpan duration, TimeSpan? step = null)
    {
        TimeSpan s = step ?? TimeSpan.FromSeconds(10);
        for (TimeSpan done = TimeSpan.Zero; done < duration; done += s)
        {
            Clock.Advance(s);
            await ReportAsync(s);
            await Engine.TickAsync(CancellationToken.None);
        }
    }

    /// <summary>Every miner works for <paramref name="elapsed"/> and reports telemetry now.</summary>
    public async Task ReportAsync(TimeSpan elapsed)
    {
        DateTimeOffset now = Clock.GetUtcNow();

        // As a real agent does once it has probed them: capabilities before the controller may sell a miner.
        foreach (string rack in _miners.Values.Where(m => !_announced.Contains(m.Id)).Select(m => m.Rack).Distinct().ToList())
        {
            ReportCapabilities(rack);
        }

        AllocationView allocation = await Engine.GetAllocationAsync(CancellationToken.None);
        foreach (SimMiner m in _miners.Values)
        {
            if (!m.On)
            {
                continue;
            }

            m.Work(elapsed, PoolsOf(m.Id, allocation));
            Fleet.Apply(m.Telemetry(Site, now, ++_seq));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        Log.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A straggling handle must not fail the test.
        }
    }

    private static List<(string Url, string User, double Fraction)> PoolsOf(string minerId, AllocationView allocation)
    {
        var pools = new List<(string, string, double)>();
        foreach (ContractView c in allocation.Contracts)
        {
            foreach (ShareView s in c.Shares.Where(s => s.MinerId == minerId))
            {
                pools.Add((c.PoolUrl, c.Worker, s.Fraction));
            }
        }

        foreach (ShareView s in allocation.House.Where(s => s.MinerId == minerId))
        {
            pools.Add((HouseUrl, HouseWorker, s.Fraction));
        }

        return pools;
    }
}
