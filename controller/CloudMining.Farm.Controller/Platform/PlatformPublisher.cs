using System.Text.Json;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Platform;

/// <summary>
/// What the contract platform reads: per contract its allocation, status and delivered hashrate, and the site's
/// capacity — retained, published when anything the platform shows changed and otherwise every
/// Controller:Engine:PlatformPublishInterval (<see cref="PlatformPublishingOptions"/>; delivered hashrate moves). An ended contract's final status is published
/// once. Owns when it last published what.
/// </summary>
public sealed class PlatformPublisher
{
    private readonly ControllerSite _site;
    private readonly CapacityCalculator _capacity;
    private readonly IFarmPublisher? _publisher;
    private readonly TimeSpan _interval;
    private readonly HashSet<string> _finalPublished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AllocationSettlement> _settled = new(StringComparer.Ordinal);
    private bool _settledPending;
    private DateTimeOffset? _lastPublished;
    private string? _lastSignature;

    public PlatformPublisher(ControllerSite site, CapacityCalculator capacity, IOptions<PlatformPublishingOptions> options, IFarmPublisher? publisher = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _site = site ?? throw new ArgumentNullException(nameof(site));
        _capacity = capacity ?? throw new ArgumentNullException(nameof(capacity));
        _interval = options.Value.Interval();
        _publisher = publisher;
    }

    private static ContractCurtailment CurtailmentOf(Contract c, IReadOnlyDictionary<string, (int Miners, double LostHs)>? curtailed, IReadOnlyDictionary<string, AllowanceUse>? allowance)
    {
        if (!c.Curtailment.Curtailable)
        {
            return new ContractCurtailment(ContractCurtailment.Protected);
        }

        string period = CurtailmentTerms.Name(c.Curtailment.Period);
        AllowanceUse? use = allowance?.GetValueOrDefault(c.Id);
        ContractCurtailment state = curtailed is not null && curtailed.TryGetValue(c.Id, out (int Miners, double LostHs) now) && now.Miners > 0
            ? new ContractCurtailment(ContractCurtailment.Curtailed, now.Miners, now.LostHs, c.Curtailment.AllowanceHours, period)
            : new ContractCurtailment(ContractCurtailment.Curtailable, 0, 0, c.Curtailment.AllowanceHours, period);
        return use is null ? state : state with { AllowanceUsedHours = Math.Round(use.UsedHours, 4), PeriodStart = use.PeriodStart };
    }

    /// <summary>
    /// Remembers the settlements just closed: each contract's latest rides on its allocation message (the optional
    /// "settlement" field) from the next publish on, which is forced.
    /// </summary>
    public void Settled(IReadOnlyList<Settlement.ContractSettlement> closed)
    {
        ArgumentNullException.ThrowIfNull(closed);
        foreach (Settlement.ContractSettlement s in closed.OrderBy(s => s.PeriodStart))
        {
            _settled[s.ContractId] = new AllocationSettlement
            {
                PeriodStart = s.PeriodStart,
                PeriodEnd = s.PeriodEnd,
                TargetThh = s.TargetTerahashHours,
                DeliveredThh = s.DeliveredTerahashHours,
                ShortfallThh = s.ShortfallTerahashHours,
                ToleratedThh = s.ToleratedTerahashHours,
                MakeGood = s.MakeGood == Settlement.MakeGoodKind.Credit ? "credit" : "extra-hours",
                MakeGoodThh = s.MakeGoodTerahashHours,
                ExtraHours = s.ExtraHours,
                Credit = s.Credit,
                EnergyKwh = s.EnergyKilowattHours,
                MaintenanceFee = s.MaintenanceFee,
                ElectricityCost = s.ElectricityCost,
                PoolThh = s.PoolTerahashHours,
                PoolObservedHours = s.PoolObservedHours,
                ClosedAt = s.ClosedAt,
            };
            _finalPublished.Remove(s.ContractId);
            _settledPending = true;
        }
    }

    /// <summary>Publishes when due (or <paramref name="force"/>): every contract's allocation, then the capacity.</summary>
    public async Task PublishAsync(FleetSnapshot fleet, ContractBook contracts, CurrentAllocation allocation, DeliveryProof proof, DateTimeOffset now, bool force, CancellationToken cancellationToken, IReadOnlyDictionary<string, (int Miners, double LostHs)>? curtailed = null, IReadOnlyDictionary<string, AllowanceUse>? allowance = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentNullException.ThrowIfNull(allocation);
        ArgumentNullException.ThrowIfNull(proof);
        if (_publisher is null)
        {
            return;
        }

        CapacitySnapshot cap = _capacity.Compute(fleet.Miners, contracts.SoldAt(now));
        long version = allocation.Version;
        string signature = string.Join(
            ';',
            contracts.All.Select(c => c.Id + "=" + contracts.StatusOf(c, now) + (curtailed is not null && curtailed.TryGetValue(c.Id, out var k) ? "/c" + k.Miners : string.Empty)
                // The allowance used, by the tenth of an hour: the platform sees it move while a contract is curtailed.
                + (allowance is not null && allowance.TryGetValue(c.Id, out AllowanceUse? u) ? FormattableString.Invariant($"/a{Math.Round(u.UsedHours, 1)}@{u.PeriodStart:O}") : string.Empty))
                .Append($"v{version}").Append($"u{cap.UnitsTotal}/{cap.UnitsSold}"));
        bool due = force || _settledPending || signature != _lastSignature || _lastPublished is null || now - _lastPublished.Value >= _interval;
        if (!due)
        {
            return;
        }

        Dictionary<string, string> racks = fleet.RackOfMiner();
        foreach (Contract c in contracts.All)
        {
            ContractStatus status = contracts.StatusOf(c, now);

            // An ended contract's final status is published once (retained) so the platform never shows stale data.
            if (status == ContractStatus.Ended && _finalPublished.Contains(c.Id))
            {
                continue;
            }

            bool ended = status == ContractStatus.Ended;
            IReadOnlyList<AllocationShare> shares = ended ? [] : [.. allocation.SharesOf(c.Id).Select(s => new AllocationShare(s.MinerId, racks.GetValueOrDefault(s.MinerId, string.Empty), s.Share.Fraction))];
            double allocatedHs = ended ? 0 : allocation.AllocatedHs(c.Id, fleet.Miners);
            var payload = new AllocationPayload
            {
                Publisher = _publisher.PublisherId,
                Seq = _publisher.NextSeq(),
                Timestamp = now,
                Instance = _publisher.Instance,
                Site = _site.Id,
                ContractId = c.Id,
                HashrateHs = allocatedHs,
                MinerIds = [.. shares.Select(s => s.MinerId)],
                ValidFrom = c.Term.Start,
                ValidUntil = contracts.UntilOf(c),
                Status = status,
                TargetHs = c.Target.HashesPerSecond,
                AllocatedHs = allocatedHs,
                DeliveredHs = ended ? null : proof.DeliveredHs(c.Id),
                Version = version,
                Shares = shares,
                Curtailment = CurtailmentOf(c, curtailed, allowance),
                Settlement = _settled.GetValueOrDefault(c.Id),
            };
            await _publisher.PublishAsync(FarmTopics.Allocation(_site.Id, c.Id), JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.AllocationPayload), retain: true, cancellationToken);
            if (ended)
            {
                _finalPublished.Add(c.Id);
            }
        }

        var capacityPayload = new CapacityPayload
        {
            Publisher = _publisher.PublisherId,
            Seq = _publisher.NextSeq(),
            Timestamp = now,
            Instance = _publisher.Instance,
            Site = _site.Id,
            TotalHashrateHs = cap.MeasuredHealthy.HashesPerSecond,
            AllocatedHashrateHs = contracts.All.Where(c => contracts.StatusOf(c, now) == ContractStatus.Active).Sum(c => allocation.AllocatedHs(c.Id, fleet.Miners)),
            AvailableHashrateHs = cap.FreeHashrate.HashesPerSecond,
            MinersOnline = fleet.Miners.Count(m => m.IsSellable),
            MinersTotal = fleet.Miners.Count,
            UnitSizeHs = cap.UnitSize.HashesPerSecond,
            UnitsTotal = cap.UnitsTotal,
            UnitsSold = cap.UnitsSold,
            UnitsFree = cap.UnitsFree,
            ReserveHs = cap.Reserve.HashesPerSecond,
        };
        await _publisher.PublishAsync(FarmTopics.Capacity(_site.Id), JsonSerializer.SerializeToUtf8Bytes(capacityPayload, FarmJsonContext.Default.CapacityPayload), retain: true, cancellationToken);
        _settledPending = false;
        _lastSignature = signature;
        _lastPublished = now;
    }
}
