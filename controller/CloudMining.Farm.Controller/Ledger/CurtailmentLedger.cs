using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;

namespace CloudMining.Farm.Controller.Ledger;

/// <summary>
/// Accumulates, per assignee (contract or house) and UTC hour, the curtailed TH·h and avoided kWh of the miners
/// curtailed now, measured: each miner's hashrate and power before curtailment (its plan step) minus what telemetry
/// measures now (the plan's estimate while it has no reading). A completed hour closes into rows for the house and
/// every contract active in it. Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed class CurtailmentLedger
{
    private readonly Dictionary<(string Assignee, DateTimeOffset Hour), double[]> _open = [];

    public CurtailmentLedger(IEnumerable<CurtailmentLedgerRow>? open = null)
    {
        foreach (CurtailmentLedgerRow r in open ?? [])
        {
            _open[(r.Assignee, r.Hour)] = [r.CurtailedTerahashHours, r.AvoidedKilowattHours, r.CurtailedHours];
        }
    }

    /// <summary>Whether any hour is open (nothing to save otherwise).</summary>
    public bool HasOpen => _open.Count > 0;

    /// <summary>
    /// Credits [<paramref name="from"/>, <paramref name="to"/>) for each curtailed step, with the miner's measured
    /// power and hashrate now (null: not measured; the plan's estimate counts), and the interval once to each owner of
    /// a curtailed step as curtailed time (what its allowance is counted in).
    /// </summary>
    public void Credit(DateTimeOffset from, DateTimeOffset to, IEnumerable<MinerCurtailment> curtailed, Func<string, (double? PowerW, double? HashrateHs)> measured)
    {
        ArgumentNullException.ThrowIfNull(curtailed);
        ArgumentNullException.ThrowIfNull(measured);
        if (to <= from)
        {
            return;
        }

        var owners = new HashSet<string>(StringComparer.Ordinal);
        foreach (MinerCurtailment step in curtailed)
        {
            if (owners.Add(CurtailmentEnforcer.OwnerOf(step)))
            {
                Spread(CurtailmentEnforcer.OwnerOf(step), from, to, (acc, seconds) => acc[2] += seconds / 3600);
            }

            (double lostHs, double savedW) = Effect(step, measured(step.MinerId));
            if (lostHs <= 0 && savedW <= 0)
            {
                continue;
            }

            Spread(CurtailmentEnforcer.OwnerOf(step), from, to, (acc, seconds) =>
            {
                acc[0] += lostHs / 1e12 * seconds / 3600;
                acc[1] += savedW / 1000 * seconds / 3600;
            });
        }
    }

    /// <summary>Calls <paramref name="add"/> with the assignee's accumulator of each UTC hour [from, to) touches and the seconds in it.</summary>
    private void Spread(string assignee, DateTimeOffset from, DateTimeOffset to, Action<double[], double> add)
    {
        DateTimeOffset t = from;
        while (t < to)
        {
            DateTimeOffset hour = HourlyLedger.HourOf(t);
            DateTimeOffset end = hour.AddHours(1) < to ? hour.AddHours(1) : to;
            add(Get(assignee, hour), (end - t).TotalSeconds);
            t = end;
        }
    }

    /// <summary>What a step costs now: hashrate lost and power saved against the miner's figures before curtailment, never negative.</summary>
    public static (double LostHs, double SavedW) Effect(MinerCurtailment step, (double? PowerW, double? HashrateHs) now)
    {
        ArgumentNullException.ThrowIfNull(step);
        double baseW = step.MeasuredPowerW;
        double baseHs = step.MeasuredHashrateHs;
        double powerNow = now.PowerW ?? (baseW - step.SavedW);
        double hashNow = now.HashrateHs ?? (baseHs - step.LostHs);
        return (Math.Max(0, baseHs - hashNow), Math.Max(0, baseW - powerNow));
    }

    /// <summary>
    /// The rows of every hour before <paramref name="now"/>'s that has an accumulator: one for the house and one for
    /// each contract of <paramref name="contracts"/> whose term overlaps the hour (0 when it was not curtailed).
    /// </summary>
    public IReadOnlyList<CurtailmentLedgerRow> CloseCompletedHours(DateTimeOffset now, IEnumerable<Contract> contracts)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        DateTimeOffset current = HourlyLedger.HourOf(now);
        List<DateTimeOffset> hours = [.. _open.Keys.Select(k => k.Hour).Where(h => h < current).Distinct().Order()];
        var rows = new List<CurtailmentLedgerRow>();
        List<Contract> all = [.. contracts];
        foreach (DateTimeOffset hour in hours)
        {
            var assignees = new SortedSet<string>(StringComparer.Ordinal) { HousePool.AssigneeId };
            foreach (Contract c in all.Where(c => c.Term.Start < hour.AddHours(1) && (c.Term.End is null || c.Term.End > hour)))
            {
                assignees.Add(c.Id);
            }

            foreach ((string a, DateTimeOffset h) in _open.Keys.Where(k => k.Hour == hour))
            {
                assignees.Add(a);
            }

            foreach (string a in assignees)
            {
                double[] acc = _open.GetValueOrDefault((a, hour)) ?? [0, 0, 0];
                rows.Add(new CurtailmentLedgerRow(a, hour, acc[0], acc[1], Math.Min(1, acc[2])));
                _open.Remove((a, hour));
            }
        }

        return rows;
    }

    /// <summary>The curtailed TH·h an open hour of <paramref name="assignee"/> holds so far; 0 when none (or closed).</summary>
    public double CurtailedTerahashHours(string assignee, DateTimeOffset hour) =>
        _open.TryGetValue((assignee, hour), out double[]? acc) ? acc[0] : 0;

    public IReadOnlyList<CurtailmentLedgerRow> OpenHours() =>
        [.. _open.OrderBy(p => p.Key.Hour).ThenBy(p => p.Key.Assignee, StringComparer.Ordinal).Select(p => new CurtailmentLedgerRow(p.Key.Assignee, p.Key.Hour, p.Value[0], p.Value[1], Math.Min(1, p.Value[2])))];

    private double[] Get(string assignee, DateTimeOffset hour)
    {
        if (!_open.TryGetValue((assignee, hour), out double[]? acc))
        {
            acc = [0, 0, 0];
            _open[(assignee, hour)] = acc;
        }

        return acc;
    }
}
