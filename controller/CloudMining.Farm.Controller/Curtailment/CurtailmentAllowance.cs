using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ledger;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// How much of each curtailable contract's allowance (hours per day, week or month) its current period has used: the
/// hours it was curtailed, from the curtailment ledger — closed hours (loaded once from the store, then added as hours
/// close) and the hours still open. A contract whose allowance is used up is left alone by the planner until its next
/// period. Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed class CurtailmentAllowance
{
    /// <summary>How far back closed hours matter: the longest period (a 31-day month, or a week begun in the month before) and a day.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(39);

    private readonly Dictionary<string, Dictionary<DateTimeOffset, double>> _closed = new(StringComparer.Ordinal);

    /// <summary>Takes closed ledger rows (a contract's curtailed hours per UTC hour); the house's and empty rows are ignored.</summary>
    public void Add(IEnumerable<CurtailmentLedgerRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (CurtailmentLedgerRow r in rows)
        {
            if (r.Assignee == HousePool.AssigneeId || !(r.CurtailedHours > 0))
            {
                continue;
            }

            if (!_closed.TryGetValue(r.Assignee, out Dictionary<DateTimeOffset, double>? hours))
            {
                _closed[r.Assignee] = hours = [];
            }

            hours[r.Hour] = r.CurtailedHours;
        }
    }

    /// <summary>Forgets closed hours older than <see cref="Kept"/>.</summary>
    public void Prune(DateTimeOffset now)
    {
        DateTimeOffset cut = now - Kept;
        foreach ((string id, Dictionary<DateTimeOffset, double> hours) in _closed.ToList())
        {
            foreach (DateTimeOffset h in hours.Keys.Where(h => h < cut).ToList())
            {
                hours.Remove(h);
            }

            if (hours.Count == 0)
            {
                _closed.Remove(id);
            }
        }
    }

    /// <summary>Hours <paramref name="contractId"/> was curtailed in its period that holds <paramref name="now"/>: closed hours and the <paramref name="open"/> ones.</summary>
    public double UsedHours(string contractId, CurtailmentPeriod period, DateTimeOffset now, IReadOnlyDictionary<(string Assignee, DateTimeOffset Hour), double> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return UsedHours(contractId, period, now, [.. open.Where(kv => kv.Key.Assignee == contractId).Select(kv => (kv.Key.Hour, kv.Value))]);
    }

    private double UsedHours(string contractId, CurtailmentPeriod period, DateTimeOffset now, List<(DateTimeOffset Hour, double Hours)> open)
    {
        DateTimeOffset start = CurtailmentTerms.PeriodStart(period, now);
        double used = 0;
        if (_closed.TryGetValue(contractId, out Dictionary<DateTimeOffset, double>? hours))
        {
            foreach ((DateTimeOffset h, double v) in hours)
            {
                used += h >= start && !open.Exists(o => o.Hour == h) ? v : 0;
            }
        }

        foreach ((DateTimeOffset h, double v) in open)
        {
            used += h >= start ? v : 0;
        }

        return used;
    }

    /// <summary>
    /// Each curtailable contract's allowance in its current period: the hours used (closed hours and the open ones of
    /// <paramref name="open"/>) and left (never below zero, in whole seconds so that "used up" reads as such). The open
    /// rows are grouped by contract once, so 10,000 contracts cost one pass each, not one pass over the open rows each.
    /// </summary>
    public IReadOnlyList<AllowanceUse> Use(IEnumerable<Contract> active, DateTimeOffset now, IReadOnlyList<CurtailmentLedgerRow> open)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(open);
        var openHours = new Dictionary<string, List<(DateTimeOffset Hour, double Hours)>>(StringComparer.Ordinal);
        foreach (CurtailmentLedgerRow r in open)
        {
            if (r.CurtailedHours > 0 && r.Assignee != HousePool.AssigneeId)
            {
                if (!openHours.TryGetValue(r.Assignee, out List<(DateTimeOffset Hour, double Hours)>? list))
                {
                    openHours[r.Assignee] = list = [];
                }

                // The last row of an hour stands, as in a map keyed by contract and hour.
                list.RemoveAll(x => x.Hour == r.Hour);
                list.Add((r.Hour, r.CurtailedHours));
            }
        }

        var uses = new List<AllowanceUse>();
        foreach (Contract c in active)
        {
            if (!c.Curtailment.Curtailable)
            {
                continue;
            }

            double used = UsedHours(c.Id, c.Curtailment.Period, now, openHours.GetValueOrDefault(c.Id) ?? []);
            double left = Math.Max(0, c.Curtailment.AllowanceHours - used);
            uses.Add(new AllowanceUse(c.Id, c.Curtailment, CurtailmentTerms.PeriodStart(c.Curtailment.Period, now), used, TimeSpan.FromSeconds(Math.Round(left * 3600))));
        }

        return uses;
    }

    /// <summary>
    /// The contracts as the planner sees them: each curtailable one with its allowance less the hours its period has used
    /// (never below zero); a protected one with none.
    /// </summary>
    public IReadOnlyList<CurtailmentContract> Contracts(IEnumerable<Contract> active, DateTimeOffset now, IReadOnlyList<CurtailmentLedgerRow> open)
    {
        ArgumentNullException.ThrowIfNull(active);
        List<Contract> contracts = [.. active];
        var left = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (AllowanceUse u in Use(contracts, now, open))
        {
            left[u.ContractId] = u.Left;
        }

        var list = new List<CurtailmentContract>(contracts.Count);
        foreach (Contract c in contracts)
        {
            list.Add(new CurtailmentContract(c.Id, c.Curtailment, c.Curtailment.Curtailable ? left[c.Id] : TimeSpan.Zero));
        }

        return list;
    }
}

/// <summary>A curtailable contract's allowance in its current period (from <paramref name="PeriodStart"/>): hours used and time left.</summary>
public sealed record AllowanceUse(string ContractId, CurtailmentTerms Terms, DateTimeOffset PeriodStart, double UsedHours, TimeSpan Left);
