using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Platform;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// The controller's engine: a short tick that orchestrates the parts which each own their state — the fleet as judged
/// (<see cref="FleetJudge"/>), the contract book (<see cref="ContractBook"/>), the allocation
/// (<see cref="CurrentAllocation"/>), delivery proof (<see cref="DeliveryProof"/>), the ledger
/// (<see cref="ContractLedger"/>), desired-state publishing (<see cref="DesiredStatePublisher"/>), platform publishing
/// (<see cref="PlatformPublisher"/>) and the operator read model (<see cref="OperatorReadModel"/>) — and the operator's
/// commands (<see cref="IControllerOperations"/>). One lock serialises the tick and operator requests. All parts are
/// built by the container (<see cref="EngineServiceCollectionExtensions.AddControllerEngine"/>).
/// </summary>
public sealed partial class ControllerEngine : IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FleetJudge _fleet;
    private readonly ContractBook _contracts;
    private readonly CurrentAllocation _allocation;
    private readonly DeliveryProof _proof;
    private readonly ContractLedger _ledger;
    private readonly DesiredStatePublisher _desired;
    private readonly PlatformPublisher _platform;
    private readonly OperatorReadModel _views;
    private readonly CapacityCalculator _capacity;
    private readonly CurtailmentDesk _curtailment;
    private readonly ContractSettler? _settler;
    private readonly ContractProofReader _proofReader;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _initialized;
    private DateTimeOffset _ledgerOrigin;

    public ControllerEngine(
        IOptions<EngineOptions> options,
        TimeProvider time,
        ILogger<ControllerEngine> logger,
        FleetJudge fleet,
        ContractBook contracts,
        CurrentAllocation allocation,
        DeliveryProof proof,
        ContractLedger ledger,
        DesiredStatePublisher desired,
        PlatformPublisher platform,
        OperatorReadModel views,
        CapacityCalculator capacity,
        CurtailmentDesk? curtailment = null,
        ContractSettler? settler = null,
        IControllerStore? store = null,
        ContractProofReader? proofReader = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        EngineOptionsValidator.Validate(_options);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _contracts = contracts ?? throw new ArgumentNullException(nameof(contracts));
        _allocation = allocation ?? throw new ArgumentNullException(nameof(allocation));
        _proof = proof ?? throw new ArgumentNullException(nameof(proof));
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _desired = desired ?? throw new ArgumentNullException(nameof(desired));
        _platform = platform ?? throw new ArgumentNullException(nameof(platform));
        _views = views ?? throw new ArgumentNullException(nameof(views));
        _capacity = capacity ?? throw new ArgumentNullException(nameof(capacity));
        _curtailment = curtailment ?? new CurtailmentDesk(new ControllerSite(_fleet.Site), _time, Microsoft.Extensions.Logging.Abstractions.NullLogger<CurtailmentDesk>.Instance);
        _settler = settler;
        _curtailStore = store as ICurtailmentStore;
        _proofReader = proofReader ?? new ContractProofReader(null);
        _ledger.Curtailed = CurtailedTerahashHours;
        _views.Planned = Planned;
    }

    /// <summary>Desired generations published per rack and what the agents reported applied.</summary>
    public RackEnforcementTracker Enforcement => _desired.Tracker;

    /// <summary>Rebalances triggered by proof of delivery (sustained under- or over-delivery).</summary>
    public int ProofRebalances => _proof.Rebalances;

    /// <summary>Current allocation version (= desired-state generation).</summary>
    public long Version => _allocation.Version;

    /// <summary>One control-loop step: fleet → judge → allocate → enforce and publish → prove → ledger.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureInitializedAsync(cancellationToken);
            DateTimeOffset now = _time.GetUtcNow();

            // Ingest snapshot → judge: staleness, capabilities, suspect readings, probation.
            FleetSnapshot fleet = _fleet.Read(now);
            await _fleet.SaveAdmissionsAsync(cancellationToken);

            // Prove what the pools accepted (a suspect miner's counters are not believed: they credit nothing), and end the
            // contracts the margin rule ends.
            Func<string, bool> suspect = id => _fleet.SuspectReasonOf(id) is not null;
            IReadOnlyList<DeliveryCredit> credits = _proof.Observe(fleet.Racks, _contracts.PoolIndex(now), suspect);
            _ledger.CreditDelivered(credits);
            Dictionary<string, string> rackOf = fleet.RackOfMiner();
            _proofReader.Recorder.UseSerials(fleet.SerialOfMiner());
            _proofReader.Recorder.CreditDelivered(credits, rackOf);
            foreach ((Contract due, string reason) in await _ledger.DueForTerminationAsync(_contracts.ActiveAt(now), now, cancellationToken))
            {
                await EndContractAsync(due.Id, now, reason, cancellationToken);
                LogAutoTerminated(_logger, due.Id, reason);
            }

            // Allocate. Nothing re-solves while the controller cannot hear the fleet or has just started hearing it again.
            bool settled = _fleet.Settled(_allocation.Assignments.Keys, now);
            // Miners down by the curtailment plan count as they were: no rebalance because of a planned sleep, and the
            // hashrate the plan takes from a contract is curtailment, not a delivery shortfall.
            // Computed once for judging and solving; publishing computes it again after curtailment has updated the plan.
            FleetSnapshot planned = Planned(fleet);
            bool proofTriggered = settled && _proof.Evaluate(_contracts.ActiveAt(now), id => _allocation.AllocatedHs(id, planned.Miners), now, PlannedLossByContract());
            if ((_options.AutoRebalance && settled) || proofTriggered)
            {
                await SolveAndApplyAsync(now, proofTriggered ? "proof of delivery" : "control loop", planned, cancellationToken);
            }

            // Ledger: energy of the shares since the last tick, completed hours closed, finished settlement periods settled.
            _ledger.CreditEnergy(now, fleet.PowerW, _allocation.Assignments);
            _proofReader.Recorder.CreditShares(now, _allocation.Assignments, rackOf, suspect);
            await _ledger.CloseCompletedHoursAsync(now, _contracts.All, _contracts.Endings, cancellationToken);
            await _proofReader.Recorder.FlushIfDueAsync(now, cancellationToken);
            if (_settler is not null)
            {
                _platform.Settled(await _settler.CloseDueAsync(now, _ledgerOrigin, _contracts.All, _contracts.Endings, cancellationToken));
            }

            // Curtailment: the price in force through the site's strike gate, demand response; held plan, staggered restore, accounting.
            await CurtailAsync(fleet, now, cancellationToken);

            // Enforce and publish: lagging racks, desired state, the platform's view.
            _desired.CheckLagging(now);
            await PublishAsync(now, forcePlatform: false, cancellationToken);
            _ledger.TickCompleted(now);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records an agent's reported pool state (generation applied, errors).</summary>
    public void OnReported(ReportedPoolStatePayload report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _desired.OnReported(report);
        if (string.Equals(report.Site, _fleet.Site, StringComparison.Ordinal))
        {
            _enforcer.OnReported(report.Curtailment);
        }
    }

    public ValueTask DisposeAsync()
    {
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _contracts.LoadAsync(cancellationToken);
        await _allocation.LoadAsync(cancellationToken);
        DateTimeOffset origin = await _ledger.LoadAsync(cancellationToken);
        _ledgerOrigin = origin;
        await _fleet.LoadAsync(_allocation.Assignments.Keys, _time.GetUtcNow(), cancellationToken);
        if (_settler is not null)
        {
            // Each contract's latest settlement rides on its allocation message again after a restart, not only once the next period closes.
            _platform.Settled(await _settler.RecentAsync(_time.GetUtcNow(), cancellationToken));
        }

        _initialized = true;
        LogLoaded(_logger, _contracts.All.Count, _allocation.Version, _allocation.Assignments.Count, _fleet.Drained.Count, origin);
    }

    private Task<AllocationPlan> SolveAndApplyAsync(DateTimeOffset now, string why, CancellationToken cancellationToken) =>
        SolveAndApplyAsync(now, why, Planned(_fleet.Current), cancellationToken);

    /// <summary>
    /// Solves over <paramref name="planned"/>, the current fleet as <see cref="Planned"/> gives it, where the caller has it
    /// for the plan in force now (the tick does: nothing between its judging and its solving changes either).
    /// </summary>
    private async Task<AllocationPlan> SolveAndApplyAsync(DateTimeOffset now, string why, FleetSnapshot planned, CancellationToken cancellationToken)
    {
        AllocationPlan plan = Solve(now, planned);
        await _allocation.ApplyAsync(plan, why, cancellationToken);
        return plan;
    }

    private AllocationPlan Solve(DateTimeOffset now) => Solve(now, Planned(_fleet.Current));

    private AllocationPlan Solve(DateTimeOffset now, FleetSnapshot planned) => _allocation.Solve(planned.Miners, _proof.Corrected(_contracts.ActiveAt(now)));

    private async Task EndContractAsync(string contractId, DateTimeOffset now, string reason, CancellationToken cancellationToken)
    {
        await _contracts.EndAsync(contractId, now, reason, cancellationToken);
        _proof.Forget(contractId);
    }

    private async Task PublishAsync(DateTimeOffset now, bool forcePlatform, CancellationToken cancellationToken)
    {
        try
        {
            await _desired.PublishAsync(_allocation.Version, _fleet.Current.Miners, AssignmentsWhileCurtailed(), _contracts.NotEndedById(), now, cancellationToken, _enforcer.Targets());
            await _platform.PublishAsync(Planned(_fleet.Current), _contracts, _allocation, _proof, now, forcePlatform, cancellationToken, CurtailedByContract(), AllowanceUse(now).ToDictionary(u => u.ContractId, StringComparer.Ordinal));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next tick retries: nothing is marked published that was not.
            LogPublishFailed(_logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine loaded {Contracts} contract(s), allocation version {Version} over {Miners} miner(s), {Drained} drained miner(s); ledger from {Origin:O}")]
    private static partial void LogLoaded(ILogger logger, int contracts, long version, int miners, int drained, DateTimeOffset origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Contract {ContractId} auto-terminated: {Reason}")]
    private static partial void LogAutoTerminated(ILogger logger, string contractId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing to MQTT failed; retrying on the next tick")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
