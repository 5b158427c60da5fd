using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Operations;

/// <summary>
/// The operator's read model: the views farmctl shows (fleet, miner, capacity, contracts, allocation), built from the
/// engine's parts through their read-only APIs. Holds no state of its own; the engine calls it under its lock after
/// reading the fleet.
/// </summary>
public sealed class OperatorReadModel(
    ControllerSite site,
    FleetJudge fleet,
    ContractBook contracts,
    CurrentAllocation allocation,
    DeliveryProof proof,
    DesiredStatePublisher enforcement,
    CapacityCalculator capacity)
{
    private readonly RackEnforcementTracker _tracker = (enforcement ?? throw new ArgumentNullException(nameof(enforcement))).Tracker;

    /// <summary>
    /// The fleet as allocation and capacity count it (the engine's: miners down by the curtailment plan as they were
    /// before); null: as judged.
    /// </summary>
    public Func<FleetSnapshot, FleetSnapshot>? Planned { get; set; }

    private FleetSnapshot Counted => Planned?.Invoke(fleet.Current) ?? fleet.Current;

    public FleetView DescribeFleet()
    {
        IReadOnlyList<RackLiveState> racks = fleet.Current.Racks;
        var rackIds = new SortedSet<string>(racks.Select(r => r.Rack), StringComparer.Ordinal);
        foreach (RackEnforcementState e in _tracker.All())
        {
            rackIds.Add(e.Rack);
        }

        var rackViews = new List<RackView>();
        foreach (string rackId in rackIds)
        {
            RackLiveState? live = racks.FirstOrDefault(r => r.Rack == rackId);
            RackEnforcementState? state = _tracker.Find(rackId);
            // A rack's claim of another rack's miner (a conflict: spoofed or misconfigured) is not counted in its row:
            // capacity and the allocator ignore it too. The claim stays visible in the miner list and the conflicts.
            IReadOnlyList<MinerLiveState> heard = live?.Miners ?? [];
            MinerLiveState[] rackMiners = [.. heard.Where(m => !IsForeignClaim(m))];
            int foreign = heard.Count - rackMiners.Length;
            rackViews.Add(new RackView(
                rackId,
                live?.AgentOnline ?? false,
                live is null ? 0 : Math.Max(rackMiners.Length, (live.MinersConfigured ?? 0) - foreign),
                rackMiners.Count(m => m.IsOk),
                rackMiners.Sum(PlausibleHashrateHs),
                state?.DesiredGeneration,
                state?.AppliedGeneration,
                state?.Lagging ?? false,
                rackMiners.Length == 0 ? null : rackMiners.Max(m => m.TelemetryAt),
                [.. (state?.RejectedMiners ?? []).Select(r => new RejectedMinerView(r.MinerId, r.Reason ?? "rejected by the agent"))])
            {
                MinersSuspect = rackMiners.Count(m => fleet.SuspectReasonOf(m.MinerId) is not null),
                ClockOffsetS = rackMiners.Where(m => m.ClockOffset is not null).MaxBy(m => m.ReceivedAt)?.ClockOffset is { } offset ? Math.Round(offset.TotalSeconds, 1) : null,
            });
        }

        List<MinerView> miners = [.. racks.SelectMany(r => r.Miners).OrderBy(m => m.MinerId, StringComparer.Ordinal).Select(DescribeMiner)];
        return new FleetView(site.Id, rackViews, miners)
        {
            Conflicts = [.. fleet.Conflicts.Select(c => new ConflictView(c.MinerId, c.OwnerRack, c.ClaimingRack, c.Since))],
        };
    }

    /// <summary>
    /// One miner as heard. The raw readings are shown, suspect or not (the operator needs to see the 1e300), but never
    /// a non-finite number, which JSON cannot carry.
    /// </summary>
    public MinerView DescribeMiner(MinerLiveState live)
    {
        ArgumentNullException.ThrowIfNull(live);
        RackLiveState? rack = fleet.Current.Racks.FirstOrDefault(r => r.Rack == live.Rack);
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
            fleet.Drained.Contains(live.MinerId),
            allocation.Assignments.TryGetValue(live.MinerId, out IReadOnlyList<PoolShare>? shares) ? [.. shares.Select(s => new ShareView(live.MinerId, live.Rack, s.Assignee, s.Fraction, _tracker.RejectionOf(live.Rack, live.MinerId) is null, MinerSerial.Show(live.Serial)))] : [],
            live.TelemetryAt,
            _tracker.RejectionOf(live.Rack, live.MinerId))
        {
            SuspectReason = fleet.SuspectReasonOf(live.MinerId),
            Probation = fleet.OnProbation(live.MinerId, live.Rack),
            Conflict = ConflictOf(live),
            ForeignClaim = IsForeignClaim(live),
            NotEnforceable = can.Why,
            NotEnforceableFix = can.Fix,
            SupportsPoolQuota = can.SupportsQuota,
            Operations = rack?.Capabilities?.GetValueOrDefault(live.MinerId)?.Operations,
        };
    }

    public CapacityView DescribeCapacity(DateTimeOffset now)
    {
        FleetSnapshot current = Counted;
        CapacitySnapshot c = capacity.Compute(current.Miners, contracts.SoldAt(now));
        return new(
            c.MeasuredHealthy.HashesPerSecond,
            c.Reserve.HashesPerSecond,
            c.UnitSize.HashesPerSecond,
            c.UnitsTotal,
            c.UnitsSold,
            c.UnitsFree,
            c.FreeHashrate.HashesPerSecond,
            current.Miners.Count(m => m.IsSellable),
            current.Miners.Count)
        {
            // Every miner heard of, admitted or not: a suspect reading also keeps a new miner on probation, and the
            // operator must still see it counted here.
            MinersSuspect = current.Racks.SelectMany(r => r.Miners).Select(m => m.MinerId).Distinct(StringComparer.Ordinal).Count(id => fleet.SuspectReasonOf(id) is not null),
        };
    }

    public ContractView DescribeContract(Contract c, DateTimeOffset now) => DescribeContract(c, now, Counted.Miners);

    private ContractView DescribeContract(Contract c, DateTimeOffset now, IReadOnlyList<Miner> counted)
    {
        ArgumentNullException.ThrowIfNull(c);
        ContractStatus status = contracts.StatusOf(c, now);
        bool ended = status == ContractStatus.Ended;
        return new ContractView(
            c.Id,
            c.Customer,
            status,
            c.Target.HashesPerSecond,
            ended ? 0 : allocation.AllocatedHs(c.Id, counted),
            ended ? null : proof.DeliveredHs(c.Id),
            c.Pool.Url,
            c.Pool.Worker,
            c.Term.Kind == ContractTermKind.FixedTerm ? "fixed" : "open-ended",
            c.Term.Start,
            contracts.UntilOf(c),
            c.Term.NegativeMarginDays,
            c.Fees.MaintenancePerTerahashDay,
            c.Fees.ElectricityAtCost,
            ended ? [] : SharesOf(c.Id),
            c.Curtailment.Curtailable,
            c.Curtailment.Curtailable ? c.Curtailment.AllowanceHours : null,
            c.Curtailment.Curtailable ? CurtailmentTerms.Name(c.Curtailment.Period) : null);
    }

    public IReadOnlyList<ContractView> DescribeContracts(DateTimeOffset now)
    {
        IReadOnlyList<Miner> counted = Counted.Miners;
        return [.. contracts.All.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => DescribeContract(c, now, counted))];
    }

    public AllocationView DescribeAllocation(DateTimeOffset now)
    {
        IReadOnlyList<Miner> miners = Counted.Miners;
        List<ContractView> views = [.. contracts.All.Where(c => contracts.StatusOf(c, now) != ContractStatus.Ended).OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => DescribeContract(c, now, miners))];
        List<ShareView> houseShares = SharesOf(HousePool.AssigneeId);
        double houseHs = houseShares.Sum(s => s.Fraction * (miners.FirstOrDefault(m => m.Id == s.MinerId)?.SellableHashrate.HashesPerSecond ?? 0));
        return new AllocationView(allocation.Version, views, houseShares, houseHs);
    }

    private List<ShareView> SharesOf(string assignee)
    {
        Dictionary<string, string> racks = fleet.Current.RackOfMiner();
        Dictionary<string, string> serials = fleet.Current.SerialOfMiner();
        var list = new List<ShareView>();
        foreach ((string minerId, PoolShare s) in allocation.SharesOf(assignee))
        {
            string rack = racks.GetValueOrDefault(minerId, string.Empty);
            list.Add(new ShareView(minerId, rack, s.Assignee, s.Fraction, _tracker.RejectionOf(rack, minerId) is null, MinerSerial.Show(serials.GetValueOrDefault(minerId))));
        }

        return list;
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>A miner's part of its rack's hashrate: its 5 s reading when believed, else nothing (a suspect 1e308 would overflow the sum).</summary>
    private double PlausibleHashrateHs(MinerLiveState live) =>
        fleet.SuspectReasonOf(live.MinerId) is null && (live.Hashrate5sHs ?? live.HashrateAverageHs) is { } hs && hs is > 0 and <= Miner.HashrateLimitHs ? hs : 0;

    /// <summary>Whether this report of a miner comes from a rack other than the one the miner belongs to.</summary>
    private bool IsForeignClaim(MinerLiveState live) =>
        (fleet.OwnerOf(live.MinerId) is { } owner && !string.Equals(owner, live.Rack, StringComparison.Ordinal))
        || fleet.Conflicts.Any(c => c.MinerId == live.MinerId && c.ClaimingRack == live.Rack);

    private string? ConflictOf(MinerLiveState live)
    {
        string? owner = fleet.OwnerOf(live.MinerId);
        if (owner is not null && owner != live.Rack && fleet.Conflicts.Any(c => c.MinerId == live.MinerId && c.ClaimingRack == live.Rack))
        {
            return $"belongs to rack {owner}; rack {live.Rack}'s reports of it are ignored";
        }

        string[] claimants = [.. fleet.Conflicts.Where(c => c.MinerId == live.MinerId && c.OwnerRack == live.Rack).Select(c => c.ClaimingRack)];
        return claimants.Length > 0 ? $"also reported by rack {string.Join(", ", claimants)} (ignored)" : null;
    }
}
