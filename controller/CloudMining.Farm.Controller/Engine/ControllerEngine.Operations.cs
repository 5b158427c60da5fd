using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Engine;

// IControllerOperations: what farmctl (through the local API) asks of and does to the engine. Every call takes the
// engine's lock, reads the fleet fresh, and applies changes (store, then publish) before it returns.
public sealed partial class ControllerEngine : IControllerOperations
{
    public async Task<FleetView> GetFleetAsync(CancellationToken cancellationToken)
    {
        return await LockedAsync(
            now =>
            {
                List<RackLiveState> racks = lastRacks;
                var rackIds = new SortedSet<string>(racks.Select(r => r.Rack), StringComparer.Ordinal);
                foreach (Enforcement.RackEnforcementState e in Enforcement.All())
                {
                    rackIds.Add(e.Rack);
                }

                var rackViews = new List<RackView>();
                foreach (string rackId in rackIds)
                {
                    RackLiveState? live = racks.FirstOrDefault(r => r.Rack == rackId);
                    Enforcement.RackEnforcementState? enforcement = Enforcement.Find(rackId);
                    IReadOnlyList<MinerLiveState> rackMiners = live?.Miners ?? [];
                    rackViews.Add(new RackView(
                        rackId,
                        live?.AgentOnline ?? false,
                        live?.MinersTotal ?? 0,
                        live?.MinersOk ?? 0,
                        rackMiners.Sum(PlausibleHashrateHs),
                        enforcement?.DesiredGeneration,
                        enforcement?.AppliedGeneration,
                        enforcement?.Lagging ?? false,
                        live?.Miners.Max(m => m.TelemetryAt),
                        [.. (enforcement?.RejectedMiners ?? []).Select(r => new RejectedMinerView(r.MinerId, r.Reason ?? "rejected by the agent"))])
                    {
                        MinersSuspect = rackMiners.Count(m => readings.ReasonFor(m.MinerId) is not null),
                    });
                }

                List<MinerView> miners = [.. racks.SelectMany(r => r.Miners).OrderBy(m => m.MinerId, StringComparer.Ordinal).Select(MinerViewOf)];
                return Task.FromResult(new FleetView(site, rackViews, miners)
                {
                    Conflicts = [.. admission.Conflicts.Select(c => new ConflictView(c.MinerId, c.OwnerRack, c.ClaimingRack, c.Since))],
                });
            },
            cancellationToken);
    }

    public Task<MinerView?> GetMinerAsync(string minerId, CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(FindLive(minerId) is { } live ? MinerViewOf(live) : null), cancellationToken);

    public Task<CapacityView> GetCapacityAsync(CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(CapacityViewOf(capacity.Compute(lastFleet, SoldContracts(now)))), cancellationToken);

    public Task<IReadOnlyList<ContractView>> GetContractsAsync(CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult<IReadOnlyList<ContractView>>([.. contracts.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => ContractViewOf(c, now))]), cancellationToken);

    public Task<ContractView?> GetContractAsync(string contractId, CancellationToken cancellationToken) =>
        LockedAsync(now => Task.FromResult(contracts.FirstOrDefault(c => c.Id == contractId) is { } c ? ContractViewOf(c, now) : null), cancellationToken);

    public Task<ContractView> AddContractAsync(NewContractRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LockedAsync(
            async now =>
            {
                Contract contract = Validate(request, now);
                if (contracts.Any(c => string.Equals(c.Id, contract.Id, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new InvalidOperationException($"A contract with id '{contract.Id}' already exists (ended contracts keep their id for the ledger); choose another id.");
                }

                PoolKey key = PoolKey.Of(contract.Pool.Url, contract.Pool.Worker);
                if (contracts.FirstOrDefault(c => !endings.ContainsKey(c.Id) && PoolKey.Of(c.Pool.Url, c.Pool.Worker) == key) is { } clash)
                {
                    throw new ContractValidationException("pool.worker", $"'{contract.Pool.Worker}' on {contract.Pool.Url} is already the pool account of contract '{clash.Id}'; each contract needs its own worker so its delivered hashrate can be proven.");
                }

                if (house is not null && PoolKey.Of(house.Pool.Url, house.Pool.Worker) == key)
                {
                    throw new ContractValidationException("pool.worker", $"'{contract.Pool.Worker}' on {contract.Pool.Url} is the operator's house pool account; a contract needs the customer's own account.");
                }

                CapacitySnapshot snapshot = capacity.Compute(lastFleet, SoldContracts(now));
                capacity.EnsureSellable(snapshot, contract.Target);
                await store.UpsertContractAsync(contract, cancellationToken);
                contracts.Add(contract);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("Contract {ContractId} added: {Target} for {Customer} on {Pool}, {Units} unit(s)", contract.Id, contract.Target, contract.Customer, contract.Pool.Url, capacity.UnitsFor(contract.Target));
                }

                await SolveAndApplyAsync(now, $"contract {contract.Id} added", cancellationToken);
                await PublishAsync(now, forcePlatform: true, cancellationToken);
                return ContractViewOf(contract, now);
            },
            cancellationToken);
    }

    public Task<ContractView> EndContractAsync(string contractId, CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                Contract contract = contracts.FirstOrDefault(c => c.Id == contractId)
                    ?? throw new KeyNotFoundException($"No contract '{contractId}'; `farmctl contracts list` shows the ids.");
                if (Status(contract, now) == ContractStatus.Ended)
                {
                    throw new InvalidOperationException($"Contract '{contractId}' has already ended.");
                }

                await EndAsync(contract.Id, now, "ended by operator", cancellationToken);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.LogInformation("Contract {ContractId} ended by the operator", contractId);
                }

                await SolveAndApplyAsync(now, $"contract {contract.Id} ended", cancellationToken);
                await PublishAsync(now, forcePlatform: true, cancellationToken);
                return ContractViewOf(contract, now);
            },
            cancellationToken);

    public Task<AllocationView> GetAllocationAsync(CancellationToken cancellationToken) =>
        LockedAsync(
            now =>
            {
                List<ContractView> views = [.. contracts.Where(c => Status(c, now) != ContractStatus.Ended).OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => ContractViewOf(c, now))];
                List<ShareView> houseShares = SharesFor(HousePool.AssigneeId);
                double houseHs = houseShares.Sum(s => s.Fraction * (lastFleet.FirstOrDefault(m => m.Id == s.MinerId)?.SellableHashrate.HashesPerSecond ?? 0));
                return Task.FromResult(new AllocationView(version, views, houseShares, houseHs));
            },
            cancellationToken);

    public Task<RebalanceView> RebalanceAsync(bool apply, CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                AllocationPlan plan = Solve(now);
                bool changes = !SameAssignments(plan.Assignments, assignments);
                if (apply)
                {
                    await ApplyAsync(plan, "operator rebalance", cancellationToken);
                    await PublishAsync(now, forcePlatform: true, cancellationToken);
                }

                long planVersion = apply || !changes ? version : version + 1;
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
                MinerLiveState live = FindLive(minerId) ?? throw new KeyNotFoundException($"No miner '{minerId}' in site {site}'s fleet; `farmctl fleet` lists the miners.");
                bool changed = drained ? this.drained.Add(minerId) : this.drained.Remove(minerId);
                if (changed)
                {
                    await store.SetMinerDrainedAsync(minerId, drained, now, cancellationToken);
                    if (logger.IsEnabled(LogLevel.Information))
                    {
                        logger.LogInformation("Miner {MinerId} {Change}", minerId, drained ? "drained for maintenance" : "back in service");
                    }

                    lastFleet = ReadFleet(now);
                    await SolveAndApplyAsync(now, drained ? $"miner {minerId} drained" : $"miner {minerId} undrained", cancellationToken);
                    await PublishAsync(now, forcePlatform: true, cancellationToken);
                }

                return MinerViewOf(live);
            },
            cancellationToken);

    public Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        LockedAsync<IReadOnlyList<LedgerEntry>>(
            async now =>
            {
                if (contractId is not null && !contracts.Any(c => c.Id == contractId))
                {
                    throw new KeyNotFoundException($"No contract '{contractId}'; `farmctl contracts list` shows the ids.");
                }

                var rows = new List<LedgerEntry>();
                foreach (Contract c in contracts.Where(c => contractId is null || c.Id == contractId))
                {
                    rows.AddRange(await store.GetLedgerAsync(c.Id, from, to, cancellationToken));
                }

                return [.. rows.OrderBy(r => r.Hour).ThenBy(r => r.ContractId, StringComparer.Ordinal)];
            },
            cancellationToken);

    private static Contract Validate(NewContractRequest request, DateTimeOffset now)
    {
        Hashrate target = ContractTarget.Parse(request.Hashrate);

        Contracts.PoolAccount pool = Contracts.PoolAccount.Create(request.PoolUrl, request.Worker);
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

        return Contract.Create(request.Id, request.Customer, target, pool, term, FeeTerms.Create(request.MaintenancePerTerahashDay, request.ElectricityAtCost));
    }

    private async Task<T> LockedAsync<T>(Func<DateTimeOffset, Task<T>> work, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureInitializedAsync(cancellationToken);
            DateTimeOffset now = time.GetUtcNow();
            lastFleet = ReadFleet(now);
            return await work(now);
        }
        finally
        {
            gate.Release();
        }
    }

    // The report of the rack the miner belongs to; another rack's report of the same id only when there is none.
    private MinerLiveState? FindLive(string minerId) =>
        lastRacks.SelectMany(r => r.Miners).Where(m => m.MinerId == minerId)
            .OrderByDescending(m => m.Rack == admission.OwnerOf(minerId))
            .ThenByDescending(m => m.TelemetryAt)
            .FirstOrDefault();

    // The raw readings are shown, suspect or not (the operator needs to see the 1e300), but never a non-finite number,
    // which JSON cannot carry.
    private MinerView MinerViewOf(MinerLiveState live)
    {
        RackLiveState? rack = lastRacks.FirstOrDefault(r => r.Rack == live.Rack);
        MinerEnforceability can = CapabilityJudge.Judge(rack, live.MinerId);
        return new(
            live.MinerId,
            live.Rack,
            live.Profile,
            live.Model,
            live.State?.ToWire(),
            Finite(live.HashrateAverageHs ?? live.Hashrate5sHs),
            Finite(live.PowerW),
            Finite(live.MaxChipTempC),
            drained.Contains(live.MinerId),
            assignments.TryGetValue(live.MinerId, out IReadOnlyList<PoolShare>? shares) ? [.. shares.Select(s => new ShareView(live.MinerId, live.Rack, s.Assignee, s.Fraction, Enforcement.RejectionOf(live.Rack, live.MinerId) is null))] : [],
            live.TelemetryAt,
            Enforcement.RejectionOf(live.Rack, live.MinerId))
        {
            SuspectReason = readings.ReasonFor(live.MinerId),
            Probation = admission.OnProbation.TryGetValue(live.MinerId, out Admission.MinerProbation? p) && p.Rack == live.Rack,
            Conflict = ConflictOf(live),
            NotEnforceable = can.Why,
            NotEnforceableFix = can.Fix,
            SupportsPoolQuota = can.SupportsQuota,
            Operations = rack?.Capabilities?.GetValueOrDefault(live.MinerId)?.Operations,
        };
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>A miner's part of its rack's hashrate: its 5 s reading when believed, else nothing (a suspect 1e308 would overflow the sum).</summary>
    private double PlausibleHashrateHs(MinerLiveState live) =>
        readings.ReasonFor(live.MinerId) is null && (live.Hashrate5sHs ?? live.HashrateAverageHs) is { } hs && hs is > 0 and <= Miner.HashrateLimitHs ? hs : 0;

    private string? ConflictOf(MinerLiveState live)
    {
        string? owner = admission.OwnerOf(live.MinerId);
        if (owner is not null && owner != live.Rack && admission.Conflicts.Any(c => c.MinerId == live.MinerId && c.ClaimingRack == live.Rack))
        {
            return $"belongs to rack {owner}; rack {live.Rack}'s reports of it are ignored";
        }

        string[] claimants = [.. admission.Conflicts.Where(c => c.MinerId == live.MinerId && c.OwnerRack == live.Rack).Select(c => c.ClaimingRack)];
        return claimants.Length > 0 ? $"also reported by rack {string.Join(", ", claimants)} (ignored)" : null;
    }

    private CapacityView CapacityViewOf(CapacitySnapshot c) => new(
        c.MeasuredHealthy.HashesPerSecond,
        c.Reserve.HashesPerSecond,
        c.UnitSize.HashesPerSecond,
        c.UnitsTotal,
        c.UnitsSold,
        c.UnitsFree,
        c.FreeHashrate.HashesPerSecond,
        lastFleet.Count(m => m.IsSellable),
        lastFleet.Count)
    {
        // Every miner heard of, admitted or not: a suspect reading also keeps a new miner on probation, and the operator
        // must still see it counted here.
        MinersSuspect = lastRacks.SelectMany(r => r.Miners).Select(m => m.MinerId).Distinct(StringComparer.Ordinal).Count(id => readings.ReasonFor(id) is not null),
    };

    private ContractView ContractViewOf(Contract c, DateTimeOffset now)
    {
        ContractStatus status = Status(c, now);
        DateTimeOffset? end = endings.TryGetValue(c.Id, out ContractEnding? ending) ? ending.EndedAt : c.Term.End;
        return new ContractView(
            c.Id,
            c.Customer,
            status,
            c.Target.HashesPerSecond,
            status == ContractStatus.Ended ? 0 : AllocatedHs(c.Id),
            status == ContractStatus.Ended ? null : delivered.GetValueOrDefault(c.Id),
            c.Pool.Url,
            c.Pool.Worker,
            c.Term.Kind == ContractTermKind.FixedTerm ? "fixed" : "open-ended",
            c.Term.Start,
            end,
            c.Term.NegativeMarginDays,
            c.Fees.MaintenancePerTerahashDay,
            c.Fees.ElectricityAtCost,
            status == ContractStatus.Ended ? [] : SharesFor(c.Id));
    }

    private List<ShareView> SharesFor(string assignee)
    {
        Dictionary<string, string> racks = lastFleet.ToDictionary(m => m.Id, m => m.Rack, StringComparer.Ordinal);
        var list = new List<ShareView>();
        foreach ((string minerId, IReadOnlyList<PoolShare> shares) in assignments.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (PoolShare s in shares)
            {
                if (s.Assignee == assignee)
                {
                    string rack = racks.GetValueOrDefault(minerId, string.Empty);
                    list.Add(new ShareView(minerId, rack, s.Assignee, s.Fraction, Enforcement.RejectionOf(rack, minerId) is null));
                }
            }
        }

        return list;
    }

    private static string Describe(IReadOnlyList<PoolShare> shares) => shares.Count == 0 ? "(none)" : string.Join(" + ", shares);
}
