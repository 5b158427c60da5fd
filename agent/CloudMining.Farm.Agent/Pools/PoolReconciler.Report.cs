using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// The reported pool state (farm.v1.reported) the reconciler builds after each pass: the miners it applies, the desired
/// entries it rejected (per miner, state <c>rejected</c>), and a whole rejection; every echo bounded and the payload
/// kept within <see cref="ReportedStateBudget"/>.
/// </summary>
public sealed partial class PoolReconciler
{
    private void PublishReport(DesiredPoolStatePayload? desired)
    {
        ReportedRejection? rejection = _store.Rejection;
        if (desired is null && rejection is null)
        {
            return;
        }

        // A report says "generation G applied, except for errors[]": it goes out only once G was tried on every miner,
        // so that a controller never reads a generation as applied while miners have not even been tried.
        if (desired is not null && desired.Miners.Any(a => !_miners.TryGetValue(a.MinerId, out MinerPoolState? s) || s.Status == ReportedMinerState.Pending))
        {
            return;
        }

        var statuses = new List<ReportedMinerStatus>();
        var applied = new List<MinerPoolAssignment>();
        var errors = new List<string>();
        foreach (MinerPoolAssignment a in desired?.Miners ?? [])
        {
            MinerPoolState s = _miners.GetOrAdd(a.MinerId, _ => new MinerPoolState());
            string? reason = s.Reason is null ? null : BoundedText.Echo(s.Reason, ReportedStateBudget.MaxReasonChars);
            statuses.Add(new ReportedMinerStatus(a.MinerId, s.Status, s.AppliedGeneration, reason, s.NextRetryAt));
            if (s.ReadPools is { Count: > 0 } read)
            {
                applied.Add(new MinerPoolAssignment(a.MinerId, read, a.ContractId));
            }

            if (s.Status is ReportedMinerState.Failed or ReportedMinerState.Waiting)
            {
                errors.Add($"{a.MinerId}: {s.Status.ToWire()}: {reason}");
            }
        }

        // Entries the agent would not apply: never tried, so never pending; named once each, up to a bound.
        IReadOnlyList<RejectedMinerEntry> refused = desired is null ? [] : _store.RejectedMiners;
        foreach (RejectedMinerEntry r in refused.Take(ReportedStateBudget.MaxRejectedListed))
        {
            string reason = BoundedText.Echo(Scrub(r.Reason), ReportedStateBudget.MaxReasonChars);
            if (r.MinerId is { } id && !statuses.Any(x => string.Equals(x.MinerId, id, StringComparison.OrdinalIgnoreCase)))
            {
                statuses.Add(new ReportedMinerStatus(id, ReportedMinerState.Rejected, Reason: reason));
            }

            errors.Add($"{r.MinerId ?? $"miners[{r.Index}]"}: {ReportedMinerState.Rejected.ToWire()}: {reason}");
        }

        if (refused.Count > ReportedStateBudget.MaxRejectedListed)
        {
            errors.Add($"{refused.Count - ReportedStateBudget.MaxRejectedListed} more desired entries rejected (not listed; {refused.Count} in all)");
        }

        if (rejection is not null)
        {
            errors.Add($"desired{(rejection.Generation is { } g ? $" generation {g}" : string.Empty)} rejected: {rejection.Reason}");
        }

        long generation = desired?.Generation ?? 0;
        var report = new ReportedPoolStatePayload
        {
            Publisher = string.Empty,
            Seq = 1,
            Timestamp = _time.GetUtcNow(),
            Site = _options.Site,
            Rack = _options.RackId,
            Generation = generation,
            Miners = applied,
            Errors = errors,
            Applied = desired is not null && refused.Count == 0 && statuses.All(s => s.State == ReportedMinerState.Applied && s.AppliedGeneration == generation),
            MinerStatus = statuses,
            Rejected = rejection,
            Curtailment = desired is null ? null : _curtailment.Report(),
        };
        report = ReportedStateBudget.Fit(report);

        // Compare without the envelope: a report is re-sent only when something in it changed.
        string key = System.Text.Json.JsonSerializer.Serialize(report with { Timestamp = default }, FarmJsonContext.Default.ReportedPoolStatePayload);
        if (key == _lastReportKey)
        {
            return;
        }

        _lastReportKey = key;
        Volatile.Write(ref _lastReport, report);
        _reported?.Queue(report);
        Reported?.Invoke(this, report);
    }
}
