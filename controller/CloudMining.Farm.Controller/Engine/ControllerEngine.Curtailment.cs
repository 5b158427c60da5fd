using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Curtailment.Signals;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Engine;

// ICurtailmentOperations: plans over the fleet as judged now, the current allocation and the active contracts, under
// the engine's lock. Apply and end record (and store) the operator's signal; every tick enforces the signals in force
// through the desired state (CurtailmentEnforcer) and books the curtailed TH·h and avoided kWh (CurtailmentLedger).
public sealed partial class ControllerEngine : ICurtailmentOperations
{
    private const int MaxTopUps = 3;
    private const int TopUpSettleTicks = 3;
    private readonly CurtailmentEnforcer _enforcer = new();
    private string? _drBase;
    private int _drTopUps;
    private double _drExtraW;
    private DateTimeOffset? _drAppliedSince;
    private double _drBaselineW;
    private readonly ICurtailmentStore? _curtailStore;
    private CurtailmentLedger? _curtailLedger;
    private readonly CurtailmentAllowance _allowance = new();
    private DateTimeOffset? _curtailCredited;

    /// <summary>The measured site power a demand-response event in force must get below, W; null without one.</summary>
    public double? DemandResponseTargetW { get; private set; }

    /// <summary>What curtailment enforces now (held plan, restore waves, the agents' reports).</summary>
    public CurtailmentEnforcer Curtailment => _enforcer;

    /// <summary>One tick of curtailment: strike gate, held plan or restore, accounting; the targets go out with the desired state.</summary>
    private async Task CurtailAsync(FleetSnapshot fleet, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_curtailLedger is null)
        {
            _curtailLedger = new CurtailmentLedger(_curtailStore is null ? null : await _curtailStore.LoadOpenCurtailmentAsync(cancellationToken));
            if (_curtailStore is not null)
            {
                _curtailment.RestoreOperatorSignals(await _curtailStore.GetOperatorSignalsAsync(cancellationToken), now);
                _allowance.Add(await _curtailStore.GetCurtailedHoursSinceAsync(now - CurtailmentAllowance.Kept, cancellationToken));
            }
        }

        _curtailment.Observe(now);
        if (_enforcer.MeasuredSleepDraw(fleet.PowerW) is { } draw)
        {
            _curtailment.MeasuredSleepDraw = draw;
        }

        DemandResponseEvent? largest = _curtailment.Events(now).Where(e => e.IsActiveAt(now)).MaxBy(e => e.ReduceKilowatts);
        string? key = largest is not null
            ? FormattableString.Invariant($"dr:{largest.Id}:{largest.ReduceKilowatts}")
            : _curtailment.Gate?.Curtailed == true && _curtailment.PriceAt(now) is not null ? "price" : null;
        key = TopUp(key, largest, fleet, now);

        // A curtailable contract whose allowance ran out during the goal comes back (staggered) and is not curtailed again.
        Dictionary<string, TimeSpan>? left = null;
        foreach ((string contractId, int restored) in _enforcer.RestoreUsedUp(
            id => (left ??= AllowanceUse(now).ToDictionary(u => u.ContractId, u => u.Left, StringComparer.Ordinal)).TryGetValue(id, out TimeSpan l) ? l : TimeSpan.MaxValue,
            _curtailment.Options.RestoreWaveKw * 1000,
            _curtailment.Options.RestoreInterval,
            now))
        {
            LogAllowanceUsedUp(_logger, contractId, restored, _enforcer.GoalKey ?? string.Empty);
        }

        _enforcer.Update(
            key,
            before => EnforcedPlan(largest, before, now),
            _curtailment.Options.RestoreWaveKw * 1000,
            _curtailment.Options.RestoreInterval,
            now);

        // Accounting: what the curtailed miners do not hash and draw now, against their figures before.
        TimeSpan cap = _options.Durations().TickInterval * 3;
        DateTimeOffset from = _curtailCredited is { } previous ? (now - previous > cap ? now - cap : previous) : now;
        _curtailCredited = now;
        bool hadOpen = _curtailLedger.HasOpen;
        var miners = fleet.Miners.ToDictionary(m => m.Id, StringComparer.Ordinal);
        _curtailLedger.Credit(
            from,
            now,
            [.. _enforcer.Curtailed.Select(c => c.Step)],
            id => (fleet.PowerW.TryGetValue(id, out double w) ? w : null, miners.TryGetValue(id, out Miner? m) ? m.MeasuredHashrate.HashesPerSecond : null));
        IReadOnlyList<CurtailmentLedgerRow> rows = _curtailLedger.CloseCompletedHours(now, _contracts.All);
        if (rows.Count > 0)
        {
            _allowance.Add(rows);
            _allowance.Prune(now);
        }

        if (_curtailStore is not null && (rows.Count > 0 || _curtailLedger.HasOpen || hadOpen))
        {
            await _curtailStore.CloseCurtailmentHoursAsync(rows, _curtailLedger.OpenHours(), cancellationToken);
        }
    }

    /// <summary>The curtailed TH·h of a contract's hour so far (the curtailment ledger's open hour): excused from the delivery ledger's shortfall.</summary>
    private double CurtailedTerahashHours(string contractId, DateTimeOffset hour) =>
        _curtailLedger?.CurtailedTerahashHours(contractId, hour) ?? 0;

    /// <summary>An MQTT curtailment signal (farm/v1/{site}/signals/+), taken under the engine's lock; refused ones are logged by the desk.</summary>
    public async Task AcceptSignalAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _curtailment.Accept(topic, payload);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closed curtailment ledger rows of an assignee (a contract id or "house").</summary>
    public async Task<IReadOnlyList<CurtailmentLedgerRow>> CurtailmentLedgerAsync(string assignee, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        _curtailStore is null ? [] : await _curtailStore.GetCurtailmentLedgerAsync(assignee, from, to, cancellationToken);

    /// <summary>
    /// Demand response is verified by the site's measured power (telemetry): once every curtailed miner is reported
    /// applied and the readings had <see cref="TopUpSettleTicks"/> ticks to follow, a site still above its target (the
    /// site's measured power when the event began, miners curtailed then counted at their power before, minus the
    /// reduction) gets a new plan shedding the gap more (sleeping miners draw more than estimated, firmware tuners
    /// settle above their targets, miners that were waking came back), at most <see cref="MaxTopUps"/> times per event.
    /// </summary>
    private string? TopUp(string? key, DemandResponseEvent? largest, FleetSnapshot fleet, DateTimeOffset now)
    {
        if (key is null || largest is null)
        {
            _drBase = null;
            DemandResponseTargetW = null;
            return key;
        }

        if (key != _drBase)
        {
            _drBase = key;
            _drTopUps = 0;
            _drExtraW = 0;
            _drAppliedSince = null;
            _drBaselineW = SiteBaseline(fleet);
            DemandResponseTargetW = _drBaselineW - (largest.ReduceKilowatts * 1000);
        }

        string current = _drTopUps == 0 ? key : FormattableString.Invariant($"{key}:top-up{_drTopUps}");
        if (_enforcer.GoalKey != current || _enforcer.Plan is null || !_enforcer.AllApplied())
        {
            _drAppliedSince = null;
            return current;
        }

        _drAppliedSince ??= now;
        double target = _drBaselineW - (largest.ReduceKilowatts * 1000);
        double site = fleet.PowerW.Values.Sum();
        if (_drTopUps >= MaxTopUps || now - _drAppliedSince.Value < _options.Durations().TickInterval * TopUpSettleTicks || site <= target)
        {
            return current;
        }

        _drTopUps++;
        _drExtraW += (site - target) + (0.02 * largest.ReduceKilowatts * 1000);
        _drAppliedSince = null;
        LogTopUp(_logger, largest.Id, site, target, _drExtraW);
        return FormattableString.Invariant($"{key}:top-up{_drTopUps}");
    }

    /// <summary>The site's measured power as if nothing were curtailed: every miner curtailed now at its power before, W.</summary>
    private double SiteBaseline(FleetSnapshot fleet)
    {
        double site = fleet.PowerW.Values.Sum();
        foreach ((MinerCurtailment step, _) in _enforcer.Curtailed)
        {
            site += Math.Max(0, step.MeasuredPowerW - fleet.PowerW.GetValueOrDefault(step.MinerId));
        }

        return site;
    }

    /// <summary>The plan for the goal in force, with the miners curtailed now counted at their power and hashrate before.</summary>
    private CurtailmentPlan EnforcedPlan(DemandResponseEvent? largest, IReadOnlyDictionary<string, MinerCurtailment> before, DateTimeOffset now)
    {
        CurtailmentGoal goal = largest is not null
            ? CurtailmentGoal.Reduce(largest.ReduceKilowatts + (_drExtraW / 1000), largest.End - now, FormattableString.Invariant($"demand-response event {largest.Id} ({largest.Source}): reduce {largest.ReduceKilowatts:0.#} kW until {largest.End:u}"))
            : CurtailmentGoal.WholeHouse(FormattableString.Invariant($"price above the strike {_curtailment.Gate?.Settings.Strike}/MWh (strike gate): the house stops mining at a loss"));
        IReadOnlyList<CurtailmentCandidate> candidates = CurtailmentDesk.Candidates(_fleet.Current, _allocation.Assignments, before);
        if (before.Count > 0)
        {
            candidates = [.. candidates.Select(c => before.TryGetValue(c.MinerId, out MinerCurtailment? b)
                ? c with { PowerW = b.MeasuredPowerW, HashrateHs = b.MeasuredHashrateHs > 0 ? b.MeasuredHashrateHs : c.HashrateHs }
                : c)];
        }

        return CurtailmentPlanner.Plan(goal, candidates, CurtailmentContracts(now), _curtailment.Settings);
    }

    /// <summary>
    /// The fleet as allocation, capacity and proof of delivery see it: a miner whose hashrate is down by plan (asleep or at
    /// a lower power target, or resumed and not yet hashing again) counts as the healthy miner it was, at its hashrate
    /// before — a planned sleep is no failure, and moving its contracts to other miners would undo the curtailment.
    /// Quarantined, drained and suspect miners stay as judged, and so does one that died while asleep (its rack reports
    /// it unreachable or powered off).
    /// </summary>
    private FleetSnapshot Planned(FleetSnapshot fleet)
    {
        Dictionary<string, MinerCurtailment>? steps = null;
        foreach (MinerCurtailment step in _enforcer.Planned)
        {
            (steps ??= new(StringComparer.Ordinal))[step.MinerId] = step;
        }

        if (steps is null)
        {
            return fleet;
        }

        // A miner asleep by plan still answers its API (it reports itself idle and draws a little). One that its own
        // rack now reports unreachable or powered off has died while asleep: it counts as what it is, so its
        // contracts move like any dead miner's and its loss is a delivery shortfall, not curtailment.
        HashSet<(string MinerId, string Rack)>? dead = null;
        foreach (RackLiveState rack in fleet.Racks)
        {
            foreach (MinerLiveState live in rack.Miners)
            {
                if (live.State is Shared.Wire.MinerState.Unreachable or Shared.Wire.MinerState.PoweredOff && steps.ContainsKey(live.MinerId))
                {
                    (dead ??= []).Add((live.MinerId, rack.Rack));
                }
            }
        }

        return fleet with
        {
            Miners = [.. fleet.Miners.Select(m => steps.TryGetValue(m.Id, out MinerCurtailment? s) && s.MeasuredHashrateHs > 0
                && m.Health != MinerHealth.Quarantined && !m.Drained && m.SuspectReason is null && dead?.Contains((m.Id, m.Rack)) != true
                    ? m with { Health = MinerHealth.Healthy, MeasuredHashrate = new Hashrate(Math.Max(s.MeasuredHashrateHs, m.MeasuredHashrate.HashesPerSecond)) }
                    : m)],
        };
    }

    /// <summary>
    /// The pools each miner should mine on now: the allocation's shares, but a curtailed shared miner's split while it is
    /// curtailed (its contracts' quotas grown so they keep their hashrate as its power target takes the house's part).
    /// </summary>
    private IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> AssignmentsWhileCurtailed()
    {
        Dictionary<string, IReadOnlyList<PoolShare>>? changed = null;
        foreach ((MinerCurtailment step, _) in _enforcer.Curtailed)
        {
            if (step.SharesWhileCurtailed is { } split && _allocation.Assignments.ContainsKey(step.MinerId))
            {
                (changed ??= new Dictionary<string, IReadOnlyList<PoolShare>>(_allocation.Assignments, StringComparer.Ordinal))[step.MinerId] = split;
            }
        }

        return changed ?? _allocation.Assignments;
    }

    /// <summary>
    /// Per contract, the hashrate its pool does not get because of the plan (curtailed miners and those resumed but not
    /// hashing yet, the plan's estimate split by the miners' shares), H/s: curtailment, not a delivery shortfall.
    /// </summary>
    private Dictionary<string, double> PlannedLossByContract()
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, MinerCurtailTarget> targets = _enforcer.Targets();
        foreach (MinerCurtailment step in _enforcer.Planned)
        {
            if (step.Owner == CloudMining.Farm.Controller.Contracts.HousePool.AssigneeId || !_allocation.Assignments.TryGetValue(step.MinerId, out IReadOnlyList<PoolShare>? shares))
            {
                continue;
            }

            // A resumed miner not yet hashing has lost all of its hashrate, whatever the step was.
            double lost = targets.TryGetValue(step.MinerId, out MinerCurtailTarget? t) && t.Action == CurtailAction.Resume ? step.MeasuredHashrateHs : step.LostHs;
            foreach (PoolShare share in shares)
            {
                if (share.Assignee != CloudMining.Farm.Controller.Contracts.HousePool.AssigneeId)
                {
                    map[share.Assignee] = map.GetValueOrDefault(share.Assignee) + (lost * share.Fraction);
                }
            }
        }

        return map;
    }

    /// <summary>Per contract, the miners curtailed now and the hashrate they do not deliver (the plan's estimate), for the platform.</summary>
    private Dictionary<string, (int Miners, double LostHs)> CurtailedByContract()
    {
        var map = new Dictionary<string, (int Miners, double LostHs)>(StringComparer.Ordinal);
        foreach ((MinerCurtailment step, _) in _enforcer.Curtailed)
        {
            if (step.Owner != CloudMining.Farm.Controller.Contracts.HousePool.AssigneeId)
            {
                (int miners, double lost) = map.GetValueOrDefault(step.Owner);
                map[step.Owner] = (miners + 1, lost + step.LostHs);
            }
        }

        return map;
    }

    private async Task SaveOperatorSignalsAsync(CancellationToken cancellationToken)
    {
        if (_curtailStore is not null)
        {
            await _curtailStore.SetOperatorSignalsAsync(_curtailment.OperatorSignalsJson(), cancellationToken);
        }
    }

    public Task<CurtailmentStatusView> GetCurtailmentAsync(CancellationToken cancellationToken) =>
        LockedAsync(
            now =>
            {
                var signals = new List<CurtailmentSignalView>();
                if (_curtailment.PriceAt(now) is { } price)
                {
                    signals.Add(CurtailmentViews.Price(price));
                }

                signals.AddRange(_curtailment.Events(now).Select(CurtailmentViews.Event));
                StrikeGate? gate = _curtailment.Gate;
                return Task.FromResult(new CurtailmentStatusView(
                    _fleet.Site,
                    gate?.Settings.Strike,
                    _curtailment.Options.Hysteresis,
                    gate?.Curtailed ?? false,
                    gate is null ? "no strike price set" : gate.Curtailed ? "curtailed by the strike gate" : "running",
                    signals,
                    _enforcer.Plan is { } held
                        ? CurtailmentViews.Plan(_fleet.Site, held, recorded: true, Restore(held, now), enforced: _enforcer.AllApplied())
                        : PlanNow(now, recorded: false),
                    [.. AllowanceUse(now).Select(u => new CurtailmentAllowanceView(u.ContractId, u.Terms.AllowanceHours, CloudMining.Farm.Controller.Contracts.CurtailmentTerms.Name(u.Terms.Period), u.PeriodStart, Math.Round(u.UsedHours, 4), Math.Round(u.Left.TotalHours, 4), _enforcer.UsedUp.Contains(u.ContractId)))]));
            },
            cancellationToken);

    public Task<CurtailmentPlanView> PlanCurtailmentAsync(CurtailmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LockedAsync(now => Task.FromResult(PlanFor(_curtailment.GoalFor(request, now), now, recorded: false)), cancellationToken);
    }

    public Task<CurtailmentPlanView> ApplyCurtailmentAsync(CurtailmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LockedAsync(
            async now =>
            {
                CurtailmentGoal goal = _curtailment.GoalFor(request, now);
                _curtailment.Record(request, now);
                await SaveOperatorSignalsAsync(cancellationToken);
                return PlanFor(goal, now, recorded: true);
            },
            cancellationToken);
    }

    public Task<CurtailmentPlanView> EndCurtailmentAsync(CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                // What the operator's signals curtail now is what comes back, staggered.
                CurtailmentPlan before = Plan(CurrentGoal(now));
                _curtailment.End();
                await SaveOperatorSignalsAsync(cancellationToken);
                return CurtailmentViews.Plan(_fleet.Site, before, recorded: true, Restore(before, now));
            },
            cancellationToken);

    /// <summary>The goal the signals in force give now: the largest active demand-response reduction, else the price against the strike.</summary>
    private CurtailmentGoal CurrentGoal(DateTimeOffset now)
    {
        DemandResponseEvent? largest = _curtailment.Events(now).Where(e => e.IsActiveAt(now)).MaxBy(e => e.ReduceKilowatts);
        return largest is not null
            ? CurtailmentGoal.Reduce(largest.ReduceKilowatts, largest.End - now, $"demand-response event {largest.Id} ({largest.Source}): reduce {largest.ReduceKilowatts:0.#} kW until {largest.End:u}")
            : _curtailment.GoalFor(new CurtailmentRequest(), now);
    }

    private CurtailmentPlanView PlanNow(DateTimeOffset now, bool recorded) => PlanFor(CurrentGoal(now), now, recorded);

    private CurtailmentPlanView PlanFor(CurtailmentGoal goal, DateTimeOffset now, bool recorded)
    {
        CurtailmentPlan plan = Plan(goal);
        return CurtailmentViews.Plan(_fleet.Site, plan, recorded, Restore(plan, now));
    }

    private CurtailmentPlan Plan(CurtailmentGoal goal) =>
        CurtailmentPlanner.Plan(
            goal,
            CurtailmentDesk.Candidates(_fleet.Current, _allocation.Assignments),
            CurtailmentContracts(_time.GetUtcNow()),
            _curtailment.Settings);

    /// <summary>Each active curtailable contract's allowance in its current period: hours used (the curtailment ledger's) and left.</summary>
    private IReadOnlyList<AllowanceUse> AllowanceUse(DateTimeOffset now) =>
        _allowance.Use(_contracts.ActiveAt(now), now, _curtailLedger?.OpenHours() ?? []);

    /// <summary>The active contracts with the allowance their period has left: the curtailment ledger's curtailed hours counted.</summary>
    private IReadOnlyList<CurtailmentContract> CurtailmentContracts(DateTimeOffset now) =>
        _allowance.Contracts(_contracts.ActiveAt(now), now, _curtailLedger?.OpenHours() ?? []);

    private IReadOnlyList<RestoreWave> Restore(CurtailmentPlan plan, DateTimeOffset now) =>
        RestoreSchedule.Build(plan.Steps, _curtailment.Options.RestoreWaveKw * 1000, _curtailment.Options.RestoreInterval, now);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Contract {ContractId}: its curtailment allowance ran out during {GoalKey}; its {Miners} curtailed miner(s) are restored in waves and not curtailed again")]
    private static partial void LogAllowanceUsedUp(Microsoft.Extensions.Logging.ILogger logger, string contractId, int miners, string goalKey);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Demand-response event {EventId}: measured site power {SiteW:0} W is above the target {TargetW:0} W with every curtailed miner applied; planning {ExtraW:0} W more")]
    private static partial void LogTopUp(Microsoft.Extensions.Logging.ILogger logger, string eventId, double siteW, double targetW, double extraW);
}
