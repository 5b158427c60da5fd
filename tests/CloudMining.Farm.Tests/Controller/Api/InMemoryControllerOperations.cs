using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>
/// A stateful stand-in for the controller engine behind the HTTP layer: a fixed fleet, contracts kept in memory,
/// the real contract validation, capacity calculator and allocator, drain, and ledger rows the test adds. It lets the
/// API and farmctl be tested end to end over a real Kestrel without MQTT and agents.
/// </summary>
public sealed class InMemoryControllerOperations : IControllerOperations
{
    private readonly object _gate = new();
    private readonly List<Miner> _fleet;
    private readonly Dictionary<string, Contract> _contracts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly List<LedgerEntry> _ledger = [];
    private readonly CapacityCalculator _capacity = new(new CapacityOptions { UnitSize = Hashrate.FromTerahashes(10), ReservePercent = 5 });
    private readonly Allocator _allocator = new();
    private readonly DateTimeOffset _now;
    private IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> _assignments = new Dictionary<string, IReadOnlyList<PoolShare>>();
    private long _version;

    public InMemoryControllerOperations(IEnumerable<Miner> miners, DateTimeOffset now)
    {
        _fleet = [.. miners];
        _now = now;
    }

    /// <summary>Three racks of four 100 TH/s miners: 1,200 TH/s measured, 114 units of 10 TH/s after the 5 % reserve.</summary>
    public static InMemoryControllerOperations ThreeRacks(DateTimeOffset now) => new(ControllerSamples.Fleet(3, 4), now);

    /// <summary>Miner id conflicts the fleet view reports (the engine finds them; here the test sets them).</summary>
    public IReadOnlyList<ConflictView> Conflicts { get; set; } = [];

    public void AddLedger(params LedgerEntry[] rows)
    {
        lock (_gate)
        {
            _ledger.AddRange(rows);
        }
    }

    public Task<FleetView> GetFleetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            MinerView[] miners = [.. _fleet.Select(View)];
            RackView[] racks = [.. _fleet.GroupBy(m => m.Rack).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new RackView(
                g.Key,
                AgentOnline: g.Any(m => m.Health == MinerHealth.Healthy),
                MinersTotal: g.Count(),
                MinersHashing: g.Count(m => m.IsSellable),
                HashrateHs: g.Sum(m => m.SellableHashrate.HashesPerSecond),
                DesiredGeneration: _version,
                AppliedGeneration: _version,
                Lagging: false,
                LastSeen: _now))];
            return Task.FromResult(new FleetView("s1", racks, miners) { Conflicts = Conflicts });
        }
    }

    public Task<MinerView?> GetMinerAsync(string minerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_fleet.FirstOrDefault(m => m.Id == minerId) is { } m ? View(m) : null);
        }
    }

    public Task<CapacityView> GetCapacityAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            CapacitySnapshot c = Capacity();
            return Task.FromResult(new CapacityView(
                c.MeasuredHealthy.HashesPerSecond,
                c.Reserve.HashesPerSecond,
                c.UnitSize.HashesPerSecond,
                c.UnitsTotal,
                c.UnitsSold,
                c.UnitsFree,
                c.FreeHashrate.HashesPerSecond,
                _fleet.Count(m => m.IsSellable),
                _fleet.Count));
        }
    }

    public Task<IReadOnlyList<ContractView>> GetContractsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ContractView>>([.. _contracts.Values.OrderBy(c => c.Id, StringComparer.Ordinal).Select(View)]);
        }
    }

    public Task<ContractView?> GetContractAsync(string contractId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_contracts.TryGetValue(contractId, out Contract? c) ? View(c) : null);
        }
    }

    public Task<ContractView> AddContractAsync(NewContractRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (!Hashrate.TryParse(request.Hashrate, out Hashrate target))
            {
                throw new ContractValidationException("hashrate", $"'{request.Hashrate}' is not a hashrate; write e.g. '100 TH/s'.");
            }

            DateTimeOffset start = request.Start ?? _now;
            ContractTerm term = request.End is { } end
                ? ContractTerm.Fixed(start, end)
                : ContractTerm.OpenEnded(start, request.NegativeMarginDays ?? 0);
            var contract = Contract.Create(request.Id, request.Customer, target, PoolAccount.Create(request.PoolUrl, request.Worker), term, FeeTerms.Create(request.MaintenancePerTerahashDay, request.ElectricityAtCost));
            if (_contracts.ContainsKey(contract.Id))
            {
                throw new InvalidOperationException($"Contract '{contract.Id}' already exists; choose another id or end the old one first.");
            }

            _capacity.EnsureSellable(Capacity(), target);
            _contracts[contract.Id] = contract;
            Apply();
            return Task.FromResult(View(contract));
        }
    }

    public Task<ContractView> EndContractAsync(string contractId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_contracts.TryGetValue(contractId, out Contract? c))
            {
                throw new KeyNotFoundException($"No contract '{contractId}'.");
            }

            if (!_ended.Add(contractId))
            {
                throw new InvalidOperationException($"Contract '{contractId}' has already ended.");
            }

            Apply();
            return Task.FromResult(View(c));
        }
    }

    public Task<AllocationView> GetAllocationAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ShareView[] house = [.. Shares(HousePool.AssigneeId)];
            double houseHs = house.Sum(s => s.Fraction * _fleet.First(m => m.Id == s.MinerId).MeasuredHashrate.HashesPerSecond);
            return Task.FromResult(new AllocationView(_version, [.. _contracts.Values.OrderBy(c => c.Id, StringComparer.Ordinal).Select(View)], house, houseHs));
        }
    }

    public Task<RebalanceView> RebalanceAsync(bool apply, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            AllocationPlan plan = Plan();
            if (apply)
            {
                Apply(plan);
            }

            MoveView[] moves = [.. plan.Moves.Select(m => new MoveView(m.MinerId, m.Rack, Describe(m.From), Describe(m.To), m.Kind.ToString(), m.Reason, m.IsPoolSwitch))];
            return Task.FromResult(new RebalanceView(apply, apply ? _version : _version + 1, plan.PoolSwitches, plan.QuotaAdjustments, plan.TotalShortfall.HashesPerSecond, moves));
        }
    }

    public Task<MinerView> SetDrainedAsync(string minerId, bool drained, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            int i = _fleet.FindIndex(m => m.Id == minerId);
            if (i < 0)
            {
                throw new KeyNotFoundException($"No miner '{minerId}'.");
            }

            if (_fleet[i].Drained == drained)
            {
                throw new InvalidOperationException($"Miner '{minerId}' is already {(drained ? "drained" : "in service")}.");
            }

            _fleet[i] = _fleet[i] with { Drained = drained };
            Apply();
            return Task.FromResult(View(_fleet[i]));
        }
    }

    public Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<LedgerEntry>>([.. _ledger
                .Where(e => (contractId is null || e.ContractId == contractId) && e.Hour >= from && e.Hour < to)
                .OrderBy(e => e.ContractId, StringComparer.Ordinal).ThenBy(e => e.Hour)]);
        }
    }

    private CapacitySnapshot Capacity() => _capacity.Compute(_fleet, _contracts.Values.Where(c => !_ended.Contains(c.Id)));

    private AllocationPlan Plan() => _allocator.Solve(_fleet, [.. _contracts.Values.Where(c => !_ended.Contains(c.Id)).OrderBy(c => c.Id, StringComparer.Ordinal)], _assignments);

    private void Apply(AllocationPlan? plan = null)
    {
        _assignments = (plan ?? Plan()).Assignments;
        _version++;
    }

    private IEnumerable<ShareView> Shares(string assignee) =>
        _assignments.OrderBy(a => a.Key, StringComparer.Ordinal)
            .SelectMany(a => a.Value.Where(s => s.Assignee == assignee).Select(s => new ShareView(a.Key, _fleet.First(m => m.Id == a.Key).Rack, assignee, s.Fraction)));

    private MinerView View(Miner m) => new(
        m.Id,
        m.Rack,
        m.FirmwareProfile,
        "Antminer S19 Pro",
        m.Health.ToString(),
        m.MeasuredHashrate.HashesPerSecond,
        3250,
        71,
        m.Drained,
        [.. _assignments.TryGetValue(m.Id, out IReadOnlyList<PoolShare>? shares) ? shares.Select(s => new ShareView(m.Id, m.Rack, s.Assignee, s.Fraction)) : []],
        _now);

    private ContractView View(Contract c)
    {
        ShareView[] shares = [.. Shares(c.Id)];
        double allocated = _ended.Contains(c.Id) ? 0 : shares.Sum(s => s.Fraction * _fleet.First(m => m.Id == s.MinerId).MeasuredHashrate.HashesPerSecond);
        return new ContractView(
            c.Id,
            c.Customer,
            _ended.Contains(c.Id) ? ContractStatus.Ended : ContractStatus.Active,
            c.Target.HashesPerSecond,
            allocated,
            _ended.Contains(c.Id) ? null : allocated * 0.98,
            c.Pool.Url,
            c.Pool.Worker,
            c.Term.Kind.ToString(),
            c.Term.Start,
            c.Term.End,
            c.Term.NegativeMarginDays,
            c.Fees.MaintenancePerTerahashDay,
            c.Fees.ElectricityAtCost,
            _ended.Contains(c.Id) ? [] : shares);
    }

    private static string Describe(IReadOnlyList<PoolShare> shares) =>
        shares.Count == 0 ? "-" : string.Join(" + ", shares.Select(s => s.Fraction >= 1 - 1e-9 ? s.Assignee : $"{s.Assignee} {s.Fraction * 100:0.#}%"));
}
