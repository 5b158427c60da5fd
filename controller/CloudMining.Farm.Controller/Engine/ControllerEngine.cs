using System.Globalization;
using CloudMining.Farm.Controller.Admission;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// The controller's engine: turns fleet state into capacity and an allocation, enforces it through the agents' desired
/// pool state, proves delivery from accepted difficulty, keeps the hourly ledger, publishes allocation and capacity
/// for the contract platform, and answers the operator (<see cref="Operations.IControllerOperations"/>). One lock
/// serialises the control loop and operator requests; it runs in-process without MQTT when no publisher is given.
/// </summary>
public sealed partial class ControllerEngine : IAsyncDisposable
{
    private readonly EngineOptions options;
    private readonly string site;
    private readonly FleetState fleet;
    private readonly IControllerStore store;
    private readonly IFarmPublisher? publisher;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CapacityCalculator capacity;
    private readonly Allocator allocator = new();
    private readonly SuspectMiners readings;
    private readonly DeliveryMeter meter;
    private readonly DeliveryMonitor monitor;
    private readonly HousePool? house;
    private readonly BrokerOutageGate broker;
    private readonly bool ownBrokerGate;
    private readonly StalenessPolicy staleness;
    private readonly MinerAdmission admission;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, double> corrections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double?> delivered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeliveryStatus> deliveryStatus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> power = new(StringComparer.Ordinal);
    private readonly HashSet<string> finalPublished = new(StringComparer.Ordinal);
    private List<Contract> contracts = [];
    private Dictionary<string, ContractEnding> endings = new(StringComparer.Ordinal);
    private HashSet<string> drained = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments = new Dictionary<string, IReadOnlyList<PoolShare>>();
    private List<Miner> lastFleet = [];
    private List<RackLiveState> lastRacks = [];
    private HourlyLedger? ledger;
    private long version;
    private bool initialized;
    private DateTimeOffset? lastTick;
    private DateTimeOffset? lastPlatformPublish;
    private string? lastPlatformSignature;
    private DateTimeOffset? lastMarginCheckHour;
    private bool warnedNoHouse;

    public ControllerEngine(
        EngineOptions options,
        string site,
        FleetState fleet,
        IControllerStore store,
        IFarmPublisher? publisher = null,
        TimeProvider? time = null,
        ILogger<ControllerEngine>? logger = null,
        BrokerOutageGate? broker = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        EngineOptionsValidator.Validate(options);
        this.site = site ?? throw new ArgumentNullException(nameof(site));
        this.fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.publisher = publisher;
        this.time = time ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        capacity = new CapacityCalculator(new CapacityOptions
        {
            UnitSize = Hashrate.FromTerahashes(options.UnitSizeTh),
            ReservePercent = options.ReservePercent,
            ReserveAbsolute = Hashrate.FromTerahashes(options.ReserveAbsoluteTh),
        });
        readings = new SuspectMiners(options.Readings, this.logger);
        meter = new DeliveryMeter(TimeSpan.FromMinutes(options.ProofWindowMin));
        monitor = new DeliveryMonitor(options.ProofTolerancePercent / 100, TimeSpan.FromMinutes(options.ProofHoldMin));
        Enforcement = new RackEnforcementTracker(TimeSpan.FromSeconds(options.LagAfterS));
        // Without the ingest client's gate (in-process use, tests) the engine counts as connected from its first tick.
        ownBrokerGate = broker is null;
        this.broker = broker ?? new BrokerOutageGate();
        staleness = new StalenessPolicy(this.broker, options);
        admission = new MinerAdmission(options.ProbationReadings, TimeSpan.FromMinutes(options.ProbationMin), TimeSpan.FromMinutes(options.OwnerSilentMin), this.logger);
        if (!string.IsNullOrWhiteSpace(options.HousePoolUrl))
        {
            house = new HousePool(Contracts.PoolAccount.Create(options.HousePoolUrl, options.HouseWorker));
        }
    }

    /// <summary>Desired generations published per rack and what the agents reported applied.</summary>
    public RackEnforcementTracker Enforcement { get; }

    /// <summary>Rebalances triggered by proof of delivery (sustained under- or over-delivery).</summary>
    public int ProofRebalances { get; private set; }

    /// <summary>Current allocation version (= desired-state generation).</summary>
    public long Version => Interlocked.Read(ref version);

    /// <summary>One control-loop step: fleet → proof → allocation → ledger → lag check → publish.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureInitializedAsync(cancellationToken);
            DateTimeOffset now = time.GetUtcNow();
            lastFleet = ReadFleet(now);
            await SaveAdmissionsAsync(cancellationToken);
            ObserveDeliveries();
            await EndDueContractsAsync(now, cancellationToken);

            // Nothing re-solves while the controller cannot hear the fleet or has just started hearing it again.
            bool settled = staleness.Settled(assignments.Keys, lastRacks, now);
            bool proofTriggered = settled && EvaluateProof(now);
            if ((options.AutoRebalance && settled) || proofTriggered)
            {
                await SolveAndApplyAsync(now, proofTriggered ? "proof of delivery" : "control loop", cancellationToken);
            }

            CreditEnergy(now);
            await CloseLedgerAsync(now, cancellationToken);
            foreach (RackEnforcementState lag in Enforcement.UpdateLagging(now))
            {
                logger.LogWarning(
                    "Rack {Rack} lags: desired generation {Desired} published at {DesiredAt:O} is not applied (agent reported {Applied}) after {LagAfterS} s",
                    lag.Rack, lag.DesiredGeneration, lag.DesiredAt, lag.AppliedGeneration?.ToString(CultureInfo.InvariantCulture) ?? "nothing", options.LagAfterS);
            }

            await PublishAsync(now, forcePlatform: false, cancellationToken);
            lastTick = now;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Records an agent's reported pool state (generation applied, errors).</summary>
    public void OnReported(ReportedPoolStatePayload report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!string.Equals(report.Site, site, StringComparison.Ordinal))
        {
            return;
        }

        Enforcement.Reported(report.Rack, report.Generation, report.Errors, time.GetUtcNow(), report.MinerStatus);
        if (report.Errors.Count > 0)
        {
            logger.LogWarning("Rack {Rack} applied generation {Generation} with {Count} error(s): {Errors}", report.Rack, report.Generation, report.Errors.Count, BoundedText.Echo(string.Join("; ", report.Errors.Take(10)), 1000));
        }
    }

    public ValueTask DisposeAsync()
    {
        gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (initialized)
        {
            return;
        }

        contracts = [.. await store.GetContractsAsync(cancellationToken)];
        endings = new Dictionary<string, ContractEnding>(await store.GetContractEndingsAsync(cancellationToken), StringComparer.Ordinal);
        drained = new HashSet<string>(await store.GetDrainedMinersAsync(cancellationToken), StringComparer.Ordinal);
        (long v, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> a) = await store.LoadAllocationAsync(cancellationToken);
        version = v;
        assignments = a;
        DateTimeOffset now = time.GetUtcNow();
        DateTimeOffset origin;
        if (await store.GetMetaAsync(HourlyLedger.OriginKey, cancellationToken) is { } text)
        {
            origin = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }
        else
        {
            origin = HourlyLedger.HourOf(now);
            await store.SetMetaAsync(HourlyLedger.OriginKey, origin.ToString("O", CultureInfo.InvariantCulture), cancellationToken);
        }

        if (ownBrokerGate && !broker.IsConnected)
        {
            broker.Connected(now);
        }

        admission.Load(await store.GetKnownMinersAsync(cancellationToken), assignments.Keys.Concat(drained), now);
        ledger = new HourlyLedger(origin, options.ElectricityPricePerKwh, await store.LoadOpenLedgerAsync(cancellationToken), await store.GetLastLedgerHoursAsync(cancellationToken));
        initialized = true;
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "Engine loaded {Contracts} contract(s), allocation version {Version} over {Miners} miner(s), {Drained} drained miner(s); ledger from {Origin:O}",
                contracts.Count, version, assignments.Count, drained.Count, origin);
        }
    }

    private List<Miner> ReadFleet(DateTimeOffset now)
    {
        power.Clear();
        lastRacks = [.. fleet.Racks().Where(r => string.Equals(r.Site, site, StringComparison.Ordinal))];
        var read = new List<(MinerLiveState Live, Miner Miner)>();
        foreach (RackLiveState rack in lastRacks)
        {
            RackJudgement judgement = staleness.Judge(rack, now);
            foreach (MinerLiveState live in rack.Miners)
            {
                MinerLiveState judged = StalenessPolicy.Effective(live, judgement, now);
                MinerEnforceability can = CapabilityJudge.Judge(rack, live.MinerId);
                read.Add((live, FleetReader.ToMiner(judged, judgement.AgentLost, drained.Contains(live.MinerId), can.SupportsQuota, now, staleness.Stale, readings.Observe(live, now))
                    with { PoolsReadOnly = !can.PoolsWritable, PoolsReadOnlyReason = can.Why }));
            }
        }

        readings.Retain([.. read.Select(x => x.Miner.Id).Distinct(StringComparer.Ordinal)]);

        // The allocator sees admitted miners only (past probation), each from the rack it belongs to, never twice.
        // A suspect reading is no healthy reading for probation either.
        IReadOnlySet<(string MinerId, string Rack)> admitted = admission.Admit(
            read.Select(x => new MinerSighting(x.Live.MinerId, x.Live.Rack, x.Live.TelemetryAt, x.Miner.Health == MinerHealth.Healthy && x.Miner.SuspectReason is null)), now);
        var result = new List<Miner>();
        foreach ((MinerLiveState live, Miner m) in read.Where(x => admitted.Contains((x.Live.MinerId, x.Live.Rack))))
        {
            result.Add(m);
            if (m.Health is MinerHealth.Healthy or MinerHealth.Degraded)
            {
                // A suspect miner's power reading is not believed either (it measures nothing, so this is 0 W).
                power[m.Id] = (m.SuspectReason is null ? live.PowerW : null) ?? (m.MeasuredHashrate.TerahashesPerSecond * options.NominalJoulesPerTerahash);
            }
        }

        return [.. result.OrderBy(m => m.Id, StringComparer.Ordinal)];
    }

    private async Task SaveAdmissionsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<KnownMiner> changes = admission.TakeChanges();
        try
        {
            await store.SaveKnownMinersAsync(changes, cancellationToken);
        }
        catch
        {
            admission.ReturnChanges(changes);
            throw;
        }
    }

    private async Task EndAsync(string contractId, DateTimeOffset now, string reason, CancellationToken cancellationToken)
    {
        await store.EndContractAsync(contractId, now, reason, cancellationToken);
        endings[contractId] = new ContractEnding(now, reason);
        monitor.Forget(contractId);
        corrections.Remove(contractId);
    }

    private IEnumerable<Contract> ActiveContracts(DateTimeOffset now) =>
        contracts.Where(c => !endings.ContainsKey(c.Id) && c.Term.IsActiveAt(now));

    /// <summary>Contracts that occupy units: not ended and not past their term (pending ones included).</summary>
    private IEnumerable<Contract> SoldContracts(DateTimeOffset now) =>
        contracts.Where(c => !endings.ContainsKey(c.Id) && (c.Term.End is null || c.Term.End > now));

    private ContractStatus Status(Contract c, DateTimeOffset now) =>
        endings.ContainsKey(c.Id) || (c.Term.End is { } end && end <= now) ? ContractStatus.Ended : c.Term.Start > now ? ContractStatus.Pending : ContractStatus.Active;

    private AllocationPlan Solve(DateTimeOffset now)
    {
        var active = ActiveContracts(now)
            .Select(c => corrections.TryGetValue(c.Id, out double f) && f != 1.0
                ? Contract.Create(c.Id, c.Customer, c.Target * f, c.Pool, c.Term, c.Fees)
                : c)
            .ToList();
        return allocator.Solve(lastFleet, active, assignments);
    }

    private async Task<AllocationPlan> SolveAndApplyAsync(DateTimeOffset now, string why, CancellationToken cancellationToken)
    {
        AllocationPlan plan = Solve(now);
        await ApplyAsync(plan, why, cancellationToken);
        return plan;
    }

    private async Task ApplyAsync(AllocationPlan plan, string why, CancellationToken cancellationToken)
    {
        if (SameAssignments(plan.Assignments, assignments))
        {
            return;
        }

        long next = version + 1;
        await store.SaveAllocationAsync(next, plan.Assignments, cancellationToken);
        Interlocked.Exchange(ref version, next);
        assignments = plan.Assignments;
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                "Allocation version {Version} ({Why}): {Moves} miner(s) changed, {Switches} pool switch(es), {Quota} quota adjustment(s), shortfall {Shortfall}",
                next, why, plan.Moves.Count, plan.PoolSwitches, plan.QuotaAdjustments, plan.TotalShortfall);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            foreach (AllocationMove move in plan.Moves)
            {
                logger.LogDebug("Move: {Move}", move.ToString());
            }
        }
    }

    private static bool SameAssignments(IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> a, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach ((string miner, IReadOnlyList<PoolShare> shares) in a)
        {
            if (!b.TryGetValue(miner, out IReadOnlyList<PoolShare>? other) || !shares.SequenceEqual(other))
            {
                return false;
            }
        }

        return true;
    }

    private bool WarnIfNoHouse()
    {
        if (house is null && !warnedNoHouse)
        {
            warnedNoHouse = true;
            logger.LogWarning("No house pool configured (Controller:Engine:HousePoolUrl, HouseWorker): unsold and drained miners are left out of the desired pool state and keep their current pools");
        }

        return house is null;
    }
}
