using System.Globalization;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Engine;

// Proof and ledger: accepted difficulty → delivered hashrate per contract and hourly rows; sustained deviations force a
// rebalance; open-ended contracts whose margin turned negative for N days end.
public sealed partial class ControllerEngine
{
    private void ObserveDeliveries()
    {
        Dictionary<PoolKey, string> pools = PoolIndex(time.GetUtcNow());
        foreach (RackLiveState rack in lastRacks)
        {
            foreach (MinerLiveState live in rack.Miners)
            {
                if (live.TelemetryAt is not { } at)
                {
                    continue;
                }

                foreach (TelemetryPool pool in live.Pools)
                {
                    if (pool.DifficultyAccepted is not double diff)
                    {
                        continue;
                    }

                    PoolKey key = PoolKey.Of(pool.Url, pool.User);
                    double delta = meter.Observe(live.MinerId, key, diff, at, out DateTimeOffset since);
                    if (delta > 0 && pools.TryGetValue(key, out string? contractId))
                    {
                        ledger!.CreditDelivered(contractId, since, at, delta);
                    }
                }
            }
        }
    }

    /// <summary>The pool account of every contract not ended, so delivered work can be attributed.</summary>
    private Dictionary<PoolKey, string> PoolIndex(DateTimeOffset now)
    {
        var map = new Dictionary<PoolKey, string>();
        foreach (Contract c in contracts)
        {
            if (Status(c, now) != ContractStatus.Ended)
            {
                map.TryAdd(PoolKey.Of(c.Pool.Url, c.Pool.Worker), c.Id);
            }
        }

        return map;
    }

    private bool EvaluateProof(DateTimeOffset now)
    {
        bool trigger = false;
        foreach (Contract c in ActiveContracts(now))
        {
            double? hs = meter.DeliveredHs(PoolKey.Of(c.Pool.Url, c.Pool.Worker), now);
            delivered[c.Id] = hs;

            // What the pool should see: the target, or more when whole miners rounded the allocation up (that surplus
            // is the allocator's choice, not a delivery fault). A proof correction is taken out again, or the
            // corrected allocation would itself look like a deviation.
            double correction = corrections.GetValueOrDefault(c.Id, 1.0);
            double expected = Math.Max(c.Target.HashesPerSecond, AllocatedHs(c.Id) / correction);
            DeliveryVerdict verdict = monitor.Evaluate(c.Id, expected, hs, now);
            deliveryStatus[c.Id] = verdict.Status;
            if (!verdict.Rebalance || hs is not double d)
            {
                continue;
            }

            // Measured hashrate said the contract was covered, the pool says otherwise (stale shares, a miner that
            // over-reports, an agent not applying): the pool accepts delivered/allocated of what is allocated, so
            // allocate target × allocated/delivered from now on, within bounds.
            double allocatedHs = AllocatedHs(c.Id);
            double basis = allocatedHs > 0 ? allocatedHs : c.Target.HashesPerSecond * corrections.GetValueOrDefault(c.Id, 1.0);
            double corrected = Math.Clamp(d > 0 ? basis / d : 2.0, 0.5, 2.0);
            corrections[c.Id] = corrected;
            ProofRebalances++;
            trigger = true;
            logger.LogWarning(
                "Contract {ContractId} delivered {Delivered} against a target of {Target} ({Deviation:P1}) for at least {HoldMin} min; rebalancing with an allocation factor of {Factor:0.000}",
                c.Id, new Hashrate(d), c.Target, verdict.Deviation, options.ProofHoldMin, corrected);
        }

        return trigger;
    }

    private void CreditEnergy(DateTimeOffset now)
    {
        if (lastTick is not { } previous || now <= previous)
        {
            return;
        }

        // A gap much longer than the loop interval was not observed (the controller was stopped): credit no energy for it.
        TimeSpan cap = TimeSpan.FromSeconds(options.IntervalS * 3);
        DateTimeOffset from = now - previous > cap ? now - cap : previous;
        foreach ((string minerId, double watts) in power)
        {
            if (!assignments.TryGetValue(minerId, out IReadOnlyList<PoolShare>? shares))
            {
                continue;
            }

            foreach (PoolShare share in shares)
            {
                if (share.Assignee != HousePool.AssigneeId)
                {
                    ledger!.CreditEnergy(share.Assignee, from, now, watts * share.Fraction);
                }
            }
        }
    }

    private async Task CloseLedgerAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<LedgerEntry> rows = ledger!.CloseCompletedHours(now, contracts, endings);
        await store.CloseLedgerHoursAsync(rows, ledger.OpenHours(), cancellationToken);
        if (rows.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Ledger: closed {Rows} contract-hour row(s) up to {Hour:O}", rows.Count, rows.Max(r => r.Hour));
        }
    }

    /// <summary>Ends open-ended contracts whose margin was negative for their N days (checked once per hour).</summary>
    private async Task EndDueContractsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset hour = HourlyLedger.HourOf(now);
        if (options.HashpricePerThDay is not decimal hashprice || lastMarginCheckHour == hour)
        {
            return;
        }

        lastMarginCheckHour = hour;
        foreach (Contract c in ActiveContracts(now).Where(c => c.Term.Kind == ContractTermKind.OpenEnded).ToList())
        {
            int days = c.Term.NegativeMarginDays!.Value;
            DateTimeOffset from = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-days);
            IReadOnlyList<LedgerEntry> rows = await store.GetLedgerAsync(c.Id, from, now, cancellationToken);
            if (NegativeMarginRule.ShouldTerminate(rows, days, hashprice, options.ElectricityPricePerKwh, now, c.Term.Start))
            {
                string reason = $"negative margin for {days} day(s) at a hashprice of {hashprice} per TH/day and electricity at {options.ElectricityPricePerKwh} per kWh";
                await EndAsync(c.Id, now, reason, cancellationToken);
                logger.LogWarning("Contract {ContractId} auto-terminated: {Reason}", c.Id, reason);
            }
        }
    }
}
