using System.Text.Json;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Engine;

// Publishing: desired pool state per rack (retained, only on change) and, for the contract platform, allocation per
// contract and the site's capacity (retained, on change and every PlatformPublishIntervalS).
public sealed partial class ControllerEngine
{
    private async Task PublishAsync(DateTimeOffset now, bool forcePlatform, CancellationToken cancellationToken)
    {
        if (publisher is null)
        {
            return;
        }

        try
        {
            await PublishDesiredAsync(now, cancellationToken);
            await PublishPlatformAsync(now, forcePlatform, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next tick retries: nothing is marked published that was not.
            logger.LogWarning(e, "Publishing to MQTT failed; retrying on the next tick");
        }
    }

    private async Task PublishDesiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (version == 0)
        {
            return;
        }

        WarnIfNoHouse();
        Dictionary<string, Contract> byId = contracts.Where(c => !endings.ContainsKey(c.Id)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        foreach (IGrouping<string, Miner> rack in lastFleet.GroupBy(m => m.Rack).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // A miner whose firmware cannot change pools is left alone: the agent would refuse any assignment for it.
            IReadOnlyList<MinerPoolAssignment> miners = DesiredStateBuilder.Build(rack.Where(m => !m.PoolsReadOnly).Select(m => m.Id), assignments, byId, house);
            if (!Enforcement.HasChanged(rack.Key, miners))
            {
                continue;
            }

            var payload = new DesiredPoolStatePayload
            {
                Publisher = publisher!.PublisherId,
                Seq = publisher.NextSeq(),
                Timestamp = now,
                Site = site,
                Rack = rack.Key,
                Generation = version,
                Miners = miners,
            };
            await publisher.PublishAsync(FarmTopics.Desired(site, rack.Key), JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.DesiredPoolStatePayload), retain: true, cancellationToken);
            Enforcement.Published(rack.Key, version, miners, now);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Published desired pool state generation {Generation} for rack {Rack} ({Miners} miner(s))", version, rack.Key, miners.Count);
            }
        }
    }

    private async Task PublishPlatformAsync(DateTimeOffset now, bool force, CancellationToken cancellationToken)
    {
        CapacitySnapshot cap = capacity.Compute(lastFleet, SoldContracts(now));
        string signature = string.Join(
            ';',
            contracts.Select(c => c.Id + "=" + Status(c, now)).Append($"v{version}").Append($"u{cap.UnitsTotal}/{cap.UnitsSold}"));
        bool due = force || signature != lastPlatformSignature || lastPlatformPublish is null
            || now - lastPlatformPublish.Value >= TimeSpan.FromSeconds(options.PlatformPublishIntervalS);
        if (!due)
        {
            return;
        }

        foreach (Contract c in contracts)
        {
            ContractStatus status = Status(c, now);

            // An ended contract's final status is published once (retained) so the platform never shows stale data.
            if (status == ContractStatus.Ended && finalPublished.Contains(c.Id))
            {
                continue;
            }

            AllocationPayload payload = AllocationPayloadFor(c, status, now);
            await publisher!.PublishAsync(FarmTopics.Allocation(site, c.Id), JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.AllocationPayload), retain: true, cancellationToken);
            if (status == ContractStatus.Ended)
            {
                finalPublished.Add(c.Id);
            }
        }

        var capacityPayload = new CapacityPayload
        {
            Publisher = publisher!.PublisherId,
            Seq = publisher.NextSeq(),
            Timestamp = now,
            Site = site,
            TotalHashrateHs = cap.MeasuredHealthy.HashesPerSecond,
            AllocatedHashrateHs = contracts.Where(c => Status(c, now) == ContractStatus.Active).Sum(c => AllocatedHs(c.Id)),
            AvailableHashrateHs = cap.FreeHashrate.HashesPerSecond,
            MinersOnline = lastFleet.Count(m => m.IsSellable),
            MinersTotal = lastFleet.Count,
            UnitSizeHs = cap.UnitSize.HashesPerSecond,
            UnitsTotal = cap.UnitsTotal,
            UnitsSold = cap.UnitsSold,
            UnitsFree = cap.UnitsFree,
            ReserveHs = cap.Reserve.HashesPerSecond,
        };
        await publisher.PublishAsync(FarmTopics.Capacity(site), JsonSerializer.SerializeToUtf8Bytes(capacityPayload, FarmJsonContext.Default.CapacityPayload), retain: true, cancellationToken);
        lastPlatformSignature = signature;
        lastPlatformPublish = now;
    }

    private AllocationPayload AllocationPayloadFor(Contract c, ContractStatus status, DateTimeOffset now)
    {
        IReadOnlyList<AllocationShare> shares = status == ContractStatus.Ended ? [] : SharesOf(c.Id);
        DateTimeOffset? until = endings.TryGetValue(c.Id, out Store.ContractEnding? ending) ? ending.EndedAt : c.Term.End;
        double allocatedHs = status == ContractStatus.Ended ? 0 : AllocatedHs(c.Id);
        return new AllocationPayload
        {
            Publisher = publisher!.PublisherId,
            Seq = publisher.NextSeq(),
            Timestamp = now,
            Site = site,
            ContractId = c.Id,
            HashrateHs = allocatedHs,
            MinerIds = [.. shares.Select(s => s.MinerId)],
            ValidFrom = c.Term.Start,
            ValidUntil = until,
            Status = status,
            TargetHs = c.Target.HashesPerSecond,
            AllocatedHs = allocatedHs,
            DeliveredHs = status == ContractStatus.Ended ? null : delivered.GetValueOrDefault(c.Id),
            Version = version,
            Shares = shares,
        };
    }

    private List<AllocationShare> SharesOf(string contractId)
    {
        Dictionary<string, string> racks = lastFleet.ToDictionary(m => m.Id, m => m.Rack, StringComparer.Ordinal);
        var list = new List<AllocationShare>();
        foreach ((string minerId, IReadOnlyList<PoolShare> shares) in assignments.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (PoolShare s in shares)
            {
                if (s.Assignee == contractId)
                {
                    list.Add(new AllocationShare(minerId, racks.GetValueOrDefault(minerId, string.Empty), s.Fraction));
                }
            }
        }

        return list;
    }

    /// <summary>Measured hashrate of the shares a contract holds now, H/s.</summary>
    private double AllocatedHs(string contractId)
    {
        double sum = 0;
        foreach (Miner m in lastFleet)
        {
            if (m.IsSellable && assignments.TryGetValue(m.Id, out IReadOnlyList<PoolShare>? shares))
            {
                foreach (PoolShare s in shares)
                {
                    if (s.Assignee == contractId)
                    {
                        sum += s.Fraction * m.MeasuredHashrate.HashesPerSecond;
                    }
                }
            }
        }

        return sum;
    }
}
