using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Personalities;
using CloudMining.Farm.Simulator.Power;

namespace CloudMining.Farm.Simulator;

/// <summary>A set of simulated miners on loopback plus the simulated pools they mine to. Start it, point clients at the endpoints, dispose it.</summary>
public sealed class SimulatedFarm : IAsyncDisposable
{
    private readonly Dictionary<string, SimulatedMiner> _byId;
    private Braiins.BraiinsGrpcServer? _braiinsGrpc;

    private SimulatedFarm(IReadOnlyList<SimulatedMiner> miners, PoolLedger ledger, FarmClocks clocks)
    {
        Miners = miners;
        Pools = ledger;
        Clocks = clocks;
        _byId = miners.ToDictionary(m => m.Id, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<SimulatedMiner> Miners { get; }

    /// <summary>The pool side: what each pool URL+worker received (read it through PoolView to have it current).</summary>
    public PoolLedger Pools { get; }

    public FarmClocks Clocks { get; }

    public SimulatedMiner this[string id] =>
        _byId.TryGetValue(id, out SimulatedMiner? m) ? m : throw new KeyNotFoundException($"No simulated miner '{id}'; ids run sim-0001..sim-{Miners.Count:D4}.");

    public bool TryGet(string id, out SimulatedMiner? miner) => _byId.TryGetValue(id, out miner);

    /// <summary>Starts N miners described by options, on the system clocks unless given.</summary>
    public static Task<SimulatedFarm> StartAsync(FarmOptions options, FarmClocks? clocks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StartAsync(options.BuildSpecs(), clocks, cancellationToken);
    }

    /// <summary>Starts exactly the miners given.</summary>
    public static async Task<SimulatedFarm> StartAsync(IReadOnlyList<MinerSpec> specs, FarmClocks? clocks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        FarmClocks c = clocks ?? FarmClocks.System;
        if (specs.Count > 500)
        {
            // One listening socket per miner: large farms need more than the default 1024 descriptors.
            Native.OpenFilesLimit.RaiseToHardLimit();
        }

        var ledger = new PoolLedger();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var miners = new List<SimulatedMiner>(specs.Count);
        foreach (MinerSpec spec in specs)
        {
            if (!ids.Add(spec.Id))
            {
                throw new ArgumentException($"Two simulated miners are both called '{spec.Id}'; give each an own id.", nameof(specs));
            }

            miners.Add(new SimulatedMiner(spec, PersonalityCatalog.Get(spec.Firmware), c, ledger));
        }

        var farm = new SimulatedFarm(miners, ledger, c);
        try
        {
            foreach (SimulatedMiner m in miners)
            {
                await m.StartAsync(cancellationToken);
            }

            farm._braiinsGrpc = await Braiins.BraiinsGrpcServer.StartAsync(miners, cancellationToken);
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }

        return farm;
    }

    /// <summary>The pool side as of now: every miner is advanced to the clock first so the totals are current.</summary>
    public IReadOnlyList<PoolAccountView> PoolView()
    {
        foreach (SimulatedMiner m in Miners)
        {
            m.Snapshot();
        }

        return Pools.Snapshot();
    }

    /// <summary>Changes the share difficulty a pool URL assigns, crediting every miner's work so far at the old one first.</summary>
    public void SetPoolDifficulty(string url, double? difficulty)
    {
        foreach (SimulatedMiner m in Miners)
        {
            m.Snapshot();
        }

        Pools.SetShareDifficulty(url, difficulty);
    }

    /// <summary>Takes a pool URL down or brings it back, crediting every miner's work so far to the pools it went to first.</summary>
    public void SetPoolAlive(string url, bool alive)
    {
        foreach (SimulatedMiner m in Miners)
        {
            m.Snapshot();
        }

        Pools.SetAlive(url, alive);
    }

    /// <summary>Makes a pool URL credit only part of the accepted work from now on, crediting every miner's work so far in full first.</summary>
    public void SetPoolCreditFactor(string url, double factor)
    {
        foreach (SimulatedMiner m in Miners)
        {
            m.Snapshot();
        }

        Pools.SetCreditFactor(url, factor);
    }

    /// <summary>
    /// Wires miners to relay lines of a simulated chip: from now on each miner's power follows its line's physical
    /// level as the relay board would (active-low, normally-closed), starting from where the line stands. Dispose the
    /// result to cut the wiring.
    /// </summary>
    public RelayAttachment AttachRelays(GpioDriverSimulator chip, IEnumerable<SimulatedRelay> relays)
    {
        ArgumentNullException.ThrowIfNull(chip);
        ArgumentNullException.ThrowIfNull(relays);
        var byLine = new Dictionary<int, (SimulatedRelay, SimulatedMiner)>();
        foreach (SimulatedRelay relay in relays)
        {
            if (!byLine.TryAdd(relay.Line, (relay, this[relay.MinerId])))
            {
                throw new ArgumentException($"Line {relay.Line} is wired to two relays; give each relay its own line.", nameof(relays));
            }
        }

        return new RelayAttachment(chip, byLine);
    }

    public async ValueTask DisposeAsync()
    {
        if (_braiinsGrpc is not null)
        {
            await _braiinsGrpc.DisposeAsync();
            _braiinsGrpc = null;
        }

        foreach (SimulatedMiner m in Miners)
        {
            await m.DisposeAsync();
        }
    }
}
