using CloudMining.Farm.Controller.Admission;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// Turns what ingest heard (<see cref="FleetState"/>) into the <see cref="FleetSnapshot"/> the engine acts on: staleness
/// judged per rack (<see cref="StalenessPolicy"/>), capabilities (<see cref="CapabilityJudge"/>), suspect readings
/// (<see cref="SuspectMiners"/>), probation and rack ownership (<see cref="MinerAdmission"/>), and the operator's drains.
/// Owns those judgements' state; the engine's lock serialises every call.
/// </summary>
public sealed partial class FleetJudge
{
    private readonly ControllerSite _site;
    private readonly FleetState _fleet;
    private readonly IControllerStore _store;
    private readonly EngineOptions _options;
    private readonly BrokerOutageGate _broker;
    private readonly bool _ownsBroker;
    private readonly StalenessPolicy _staleness;
    private readonly SuspectMiners _readings;
    private readonly MinerAdmission _admission;
    private HashSet<string> _drained = new(StringComparer.Ordinal);

    /// <param name="broker">The ingest client's connection; null (in-process use, tests): the engine counts as connected from its first tick.</param>
    public FleetJudge(ControllerSite site, FleetState fleet, IControllerStore store, IOptions<EngineOptions> options, ILogger<FleetJudge> logger, BrokerOutageGate? broker = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _site = site ?? throw new ArgumentNullException(nameof(site));
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options.Value;
        _ownsBroker = broker is null;
        _broker = broker ?? new BrokerOutageGate();
        _staleness = new StalenessPolicy(_broker, _options);
        _readings = new SuspectMiners(_options.Readings, logger);
        EngineDurations durations = _options.Durations();
        _admission = new MinerAdmission(_options.ProbationReadings, durations.ProbationPeriod, durations.OwnerSilent, logger);
    }

    /// <summary>The site whose racks are read.</summary>
    public string Site => _site.Id;

    /// <summary>The fleet as last read.</summary>
    public FleetSnapshot Current { get; private set; } = FleetSnapshot.Empty;

    /// <summary>Miners the operator drained, as loaded and changed since.</summary>
    public IReadOnlySet<string> Drained => _drained;

    /// <summary>Ids claimed by two racks, for the operator.</summary>
    public IReadOnlyList<MinerConflict> Conflicts => _admission.Conflicts;

    /// <summary>Loads drains and known miners from the store; <paramref name="allocated"/> miners count as known (they were sold before).</summary>
    public async Task LoadAsync(IEnumerable<string> allocated, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allocated);
        _drained = new HashSet<string>(await _store.GetDrainedMinersAsync(cancellationToken), StringComparer.Ordinal);
        if (_ownsBroker && !_broker.IsConnected)
        {
            _broker.Connected(now);
        }

        _admission.Load(await _store.GetKnownMinersAsync(cancellationToken), allocated.Concat(_drained), now);
    }

    /// <summary>
    /// Reads and judges the site's fleet at <paramref name="now"/> (this counts readings for probation and suspicion) and
    /// keeps it as <see cref="Current"/>.
    /// </summary>
    public FleetSnapshot Read(DateTimeOffset now)
    {
        var power = new Dictionary<string, double>(StringComparer.Ordinal);
        List<RackLiveState> racks = [.. _fleet.Racks().Where(r => string.Equals(r.Site, _site.Id, StringComparison.Ordinal))];
        var read = new List<(MinerLiveState Live, Miner Miner)>();
        foreach (RackLiveState rack in racks)
        {
            RackJudgement judgement = _staleness.Judge(rack, now);
            foreach (MinerLiveState live in rack.Miners)
            {
                MinerLiveState judged = StalenessPolicy.Effective(live, judgement, now);
                MinerEnforceability can = CapabilityJudge.Judge(rack, live.MinerId);
                string? suspect = _readings.Observe(live, now);
                Miner miner = FleetReader.ToMiner(judged, judgement.AgentLost, _drained.Contains(live.MinerId), can.SupportsQuota, now, _staleness.Stale, suspect)
                    with { PoolsReadOnly = !can.PoolsWritable, PoolsReadOnlyReason = can.Why };
                if (suspect is not null && _readings.Held(live.MinerId, now))
                {
                    // Young suspicion: the miner keeps its place with the rate it was believed at before, and its health is
                    // judged on that rate too (the suspect reading's own figures are believed for nothing).
                    Hashrate held = Previous(live.MinerId) is { } before && before.Rack == live.Rack
                        ? (before.SuspectHeld ? before.HeldHashrate : before.SuspectReason is null ? before.MeasuredHashrate : Hashrate.Zero)
                        : Hashrate.Zero;
                    miner = miner with
                    {
                        SuspectHeld = true,
                        HeldHashrate = held,
                        Health = FleetReader.Health(judged, judgement.AgentLost, held.HashesPerSecond, now, _staleness.Stale),
                    };
                }

                read.Add((live, miner));
            }
        }

        _readings.Retain([.. read.Select(x => x.Miner.Id).Distinct(StringComparer.Ordinal)]);

        // The allocator sees admitted miners only (past probation), each from the rack it belongs to, never twice.
        // A suspect reading is no healthy reading for probation either.
        IReadOnlySet<(string MinerId, string Rack)> admitted = _admission.Admit(
            read.Select(x => new MinerSighting(x.Live.MinerId, x.Live.Rack, x.Live.TelemetryAt, x.Miner.Health == MinerHealth.Healthy && x.Miner.SuspectReason is null)), now);
        var miners = new List<Miner>();
        foreach ((MinerLiveState live, Miner m) in read.Where(x => admitted.Contains((x.Live.MinerId, x.Live.Rack))))
        {
            miners.Add(m);
            if (m.Health is MinerHealth.Healthy or MinerHealth.Degraded)
            {
                // A suspect miner's power reading is not believed either (it measures nothing, so this is 0 W); one that keeps
                // its place is taken to draw what its believed rate needs at the nominal efficiency.
                power[m.Id] = (m.SuspectReason is null ? live.PowerW : null)
                    ?? ((m.KeepsPlace ? m.HeldHashrate : m.MeasuredHashrate).TerahashesPerSecond * _options.NominalJoulesPerTerahash);
            }
            else if (IdleDraw(live, m, now) is { } idle)
            {
                // Answering but not hashing (asleep by curtailment, or idle): control board, fans and power supply still
                // draw, and the site's meter sees it; a demand-response target is judged on this sum.
                power[m.Id] = idle;
            }
        }

        // Ordered by id: Previous looks a miner up in it by binary search.
        Current = new FleetSnapshot(racks, [.. miners.OrderBy(m => m.Id, StringComparer.Ordinal)], power);
        return Current;
    }

    /// <summary>
    /// The miner <paramref name="minerId"/> as the previous <see cref="Read"/> judged it (the first of that id), or null:
    /// a binary search of <see cref="Current"/>'s miners (ordered by id), so a tick with a held suspect builds no index
    /// of the whole fleet.
    /// </summary>
    private Miner? Previous(string minerId)
    {
        IReadOnlyList<Miner> sorted = Current.Miners;
        int lo = 0;
        int hi = sorted.Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (string.CompareOrdinal(sorted[mid].Id, minerId) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < sorted.Count && string.Equals(sorted[lo].Id, minerId, StringComparison.Ordinal) ? sorted[lo] : null;
    }

    /// <summary>The power an idle (answering, not hashing) miner reports, when its telemetry is fresh and believed; else null.</summary>
    private double? IdleDraw(MinerLiveState live, Miner m, DateTimeOffset now) =>
        live.State == Shared.Wire.MinerState.Idle && m.SuspectReason is null && live.TelemetryAt is { } at && now - at <= _staleness.Stale
            && live.PowerW is { } w && double.IsFinite(w) && w >= 0 && w <= 1e6
            ? w
            : null;

    /// <summary>Stores what admission learned (new owners, probation passed); kept for the next try when the store fails.</summary>
    public async Task SaveAdmissionsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<KnownMiner> changes = _admission.TakeChanges();
        try
        {
            await _store.SaveKnownMinersAsync(changes, cancellationToken);
        }
        catch
        {
            _admission.ReturnChanges(changes);
            throw;
        }
    }

    /// <summary>True when the control loop may re-solve (see <see cref="StalenessPolicy.Settled"/>), judged on <see cref="Current"/>.</summary>
    public bool Settled(IEnumerable<string> allocatedMiners, DateTimeOffset now) => _staleness.Settled(allocatedMiners, Current.Racks, now);

    /// <summary>Drains (or returns to service) a miner; true when that changed anything (stored).</summary>
    public async Task<bool> SetDrainedAsync(string minerId, bool drained, DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool changed = drained ? _drained.Add(minerId) : _drained.Remove(minerId);
        if (changed)
        {
            await _store.SetMinerDrainedAsync(minerId, drained, now, cancellationToken);
        }

        return changed;
    }

    /// <summary>Why a miner's readings are not believed, or null.</summary>
    public string? SuspectReasonOf(string minerId) => _readings.ReasonFor(minerId);

    /// <summary>The rack a miner belongs to, or null when none has claimed it yet.</summary>
    public string? OwnerOf(string minerId) => _admission.OwnerOf(minerId);

    /// <summary>True while a miner id new to the site is on probation on <paramref name="rack"/>.</summary>
    public bool OnProbation(string minerId, string rack) => _admission.OnProbation.TryGetValue(minerId, out MinerProbation? p) && p.Rack == rack;

    /// <summary>The report of the rack the miner belongs to; another rack's report of the same id only when there is none.</summary>
    public MinerLiveState? FindLive(string minerId) =>
        Current.Racks.SelectMany(r => r.Miners).Where(m => m.MinerId == minerId)
            .OrderByDescending(m => m.Rack == _admission.OwnerOf(minerId))
            .ThenByDescending(m => m.TelemetryAt)
            .FirstOrDefault();
}
