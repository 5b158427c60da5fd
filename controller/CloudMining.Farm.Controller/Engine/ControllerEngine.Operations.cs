using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Engine;

// IControllerOperations: what farmctl (through the local API) asks of and does to the engine. Every call takes the
// engine's lock, reads the fleet fresh, and applies changes (store, then publish) before it returns; the views come
// from the operator read model.
public sealed partial class ControllerEngine : IControllerOperations
{
    public Task<FleetView> GetFleetAsync(CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(_views.DescribeFleet()), cancellationToken);

    public Task<MinerView?> GetMinerAsync(string minerId, CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(_fleet.FindLive(minerId) is { } live ? _views.DescribeMiner(live) : null), cancellationToken);

    public Task<CapacityView> GetCapacityAsync(CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(_views.DescribeCapacity(now)), cancellationToken);

    public Task<IReadOnlyList<ContractView>> GetContractsAsync(CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(_views.DescribeContracts(now)), cancellationToken);

    public Task<ContractView?> GetContractAsync(string contractId, CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(_contracts.Find(contractId) is { } c ? _views.DescribeContract(c, now) : null), cancellationToken);

    public Task<ContractView> AddContractAsync(NewContractRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LockedAsync(
            async now =>
            {
                Contract contract = Validate(request, now);
                PoolSide.PoolWatch? watch = PoolSide.PoolWatchRequests.From(request.PoolWatch, contract.Pool.Worker);
                Settlement.SettlementTerms? terms = Settlement.SettlementTermsRequests.From(request.Settlement);
                _contracts.EnsureAddable(contract, _desired.House);
                CapacitySnapshot snapshot = _capacity.Compute(Planned(_fleet.Current).Miners, _contracts.SoldAt(now));
                _capacity.EnsureSellable(snapshot, contract.Target);
                await _contracts.AddAsync(contract, watch, terms, cancellationToken);
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    long units = _capacity.UnitsFor(contract.Target);
                    LogContractAdded(_logger, contract.Id, contract.Target, contract.Customer, contract.Pool.Url, units);
                }

                await SolveAndApplyAsync(now, $"contract {contract.Id} added", cancellationToken);
                await PublishAsync(now, forcePlatform: true, cancellationToken);
                return _views.DescribeContract(contract, now);
            },
            cancellationToken);
    }

    public Task<ContractView> EndContractAsync(string contractId, CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                Contract contract = _contracts.Find(contractId)
                    ?? throw new KeyNotFoundException($"No contract '{contractId}'; `farmctl contracts list` shows the ids.");
                if (_contracts.StatusOf(contract, now) == ContractStatus.Ended)
                {
                    throw new InvalidOperationException($"Contract '{contractId}' has already ended.");
                }

                await EndContractAsync(contract.Id, now, "ended by operator", cancellationToken);
                LogContractEnded(_logger, contractId);
                await SolveAndApplyAsync(now, $"contract {contract.Id} ended", cancellationToken);
                await PublishAsync(now, forcePlatform: true, cancellationToken);
                return _views.DescribeContract(contract, now);
            },
            cancellationToken);

    public Task<AllocationView> GetAllocationAsync(CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(_views.DescribeAllocation(now)), cancellationToken);

    public Task<RebalanceView> RebalanceAsync(bool apply, CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                AllocationPlan plan = Solve(now);
                bool changes = _allocation.ChangesAnything(plan);
                if (apply)
                {
                    await _allocation.ApplyAsync(plan, "operator rebalance", cancellationToken);
                    await PublishAsync(now, forcePlatform: true, cancellationToken);
                }

                long planVersion = apply || !changes ? _allocation.Version : _allocation.Version + 1;
                return new RebalanceView(
                    apply,
                    planVersion,
                    plan.PoolSwitches,
                    plan.QuotaAdjustments,
                    plan.TotalShortfall.HashesPerSecond,
                    [.. plan.Moves.Select(m => new MoveView(m.MinerId, m.Rack, Describe(m.From), Describe(m.To), m.Kind.ToString(), m.Reason, m.IsPoolSwitch))]);
            },
            cancellationToken);

    public Task<MinerView> SetDrainedAsync(string minerId, bool drained, CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                MinerLiveState live = _fleet.FindLive(minerId) ?? throw new KeyNotFoundException($"No miner '{minerId}' in site {_fleet.Site}'s fleet; `farmctl fleet` lists the miners.");
                if (await _fleet.SetDrainedAsync(minerId, drained, now, cancellationToken))
                {
                    LogDrained(_logger, minerId, drained ? "drained for maintenance" : "back in service");
                    _fleet.Read(now);
                    await SolveAndApplyAsync(now, drained ? $"miner {minerId} drained" : $"miner {minerId} undrained", cancellationToken);
                    await PublishAsync(now, forcePlatform: true, cancellationToken);
                }

                return _views.DescribeMiner(live);
            },
            cancellationToken);

    public Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                if (contractId is not null && _contracts.Find(contractId) is null)
                {
                    throw new KeyNotFoundException($"No contract '{contractId}'; `farmctl contracts list` shows the ids.");
                }

                return await _ledger.RowsAsync(_contracts.All.Where(c => contractId is null || c.Id == contractId), from, to, cancellationToken);
            },
            cancellationToken);

    private static Contract Validate(NewContractRequest request, DateTimeOffset now)
    {
        Hashrate target = ContractTarget.Parse(request.Hashrate);

        PoolAccount pool = PoolAccount.Create(request.PoolUrl, request.Worker);
        DateTimeOffset start = request.Start ?? now;
        ContractTerm term;
        if (request.End is { } end)
        {
            if (request.NegativeMarginDays is not null)
            {
                throw new ContractValidationException("negativeMarginDays", "applies only to open-ended contracts; give an end or the negative-margin days, not both.");
            }

            term = ContractTerm.Fixed(start, end);
        }
        else
        {
            term = ContractTerm.OpenEnded(start, request.NegativeMarginDays
                ?? throw new ContractValidationException("negativeMarginDays", "is required for an open-ended contract (no end): the number of days (1-365) of negative margin after which it terminates."));
        }

        CurtailmentTerms curtailment;
        if (request.CurtailAllowanceHours is { } hours)
        {
            curtailment = CurtailmentTerms.Allow(hours, CurtailmentTerms.ParsePeriod(request.CurtailPeriod));
        }
        else
        {
            curtailment = request.CurtailPeriod is null
                ? CurtailmentTerms.Protected
                : throw new ContractValidationException("curtailAllowanceHours", "is required with curtailPeriod: the hours per period the contract may be curtailed; leave both out for a protected contract.");
        }

        return Contract.Create(request.Id, request.Customer, target, pool, term, FeeTerms.Create(request.MaintenancePerTerahashDay, request.ElectricityAtCost), curtailment);
    }

    private async Task<T> LockedAsync<T>(Func<DateTimeOffset, Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureInitializedAsync(cancellationToken);
            DateTimeOffset now = _time.GetUtcNow();
            _fleet.Read(now);
            return await work(now);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string Describe(IReadOnlyList<PoolShare> shares) => shares.Count == 0 ? "(none)" : string.Join(" + ", shares);

    [LoggerMessage(Level = LogLevel.Information, Message = "Contract {ContractId} added: {Target} for {Customer} on {Pool}, {Units} unit(s)")]
    private static partial void LogContractAdded(ILogger logger, string contractId, Hashrate target, string customer, string pool, long units);

    [LoggerMessage(Level = LogLevel.Information, Message = "Contract {ContractId} ended by the operator")]
    private static partial void LogContractEnded(ILogger logger, string contractId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Miner {MinerId} {Change}")]
    private static partial void LogDrained(ILogger logger, string minerId, string change);
}
