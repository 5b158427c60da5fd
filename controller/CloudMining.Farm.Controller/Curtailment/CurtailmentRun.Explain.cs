using System.Globalization;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Curtailment;

// Explain: one reason per step (whose hashrate, how efficient, why this action), the cost per assignee, and the notes
// that explain what the plan left alone.
internal sealed partial class CurtailmentRun
{
    private const string HouseWhose = "house (unsold) hashrate";
    private const int MaxNamedInNote = 10;

    private CurtailmentPlan Explain(double measured)
    {
        var steps = new List<MinerCurtailment>(_orderCount);
        int assignees = _assigneeIds.Count;
        int[] impactMiners = new int[assignees];
        double[] impactSaved = new double[assignees];
        double[] impactLost = new double[assignees];
        var touched = new List<int>();
        double shed = 0;
        // The table reads strictly least efficient first within each tier: the house, then the curtailable contracts.
        // The members are sorted that way already: two passes, no sort.
        for (int tier = 0; tier < 2 && steps.Count < _orderCount; tier++)
        {
            for (int s = 0; s < _sortedCount; s++)
            {
                int i = _sorted[s];
                if (_action[i] == ActionNone || (_owner[i] == House) != (tier == 0))
                {
                    continue;
                }

                shed += Step(i, steps, impactMiners, impactSaved, impactLost, touched);
            }
        }

        double shortfall = double.IsPositiveInfinity(_goal.ShedW) ? 0 : Math.Max(0, _goal.ShedW - shed);
        touched.Sort((a, b) => a == House ? (b == House ? 0 : -1) : b == House ? 1 : string.CompareOrdinal(_assigneeIds[a], _assigneeIds[b]));
        var assigneeList = new List<AssigneeCurtailment>(touched.Count);
        foreach (int a in touched)
        {
            bool curtailable = a == House || _assigneeContract[a] is { Terms.Curtailable: true };
            assigneeList.Add(new AssigneeCurtailment(_assigneeIds[a], curtailable, impactMiners[a], impactSaved[a], impactLost[a]));
        }

        return new CurtailmentPlan(_goal, steps, measured, shed, shortfall, assigneeList, Notes(shortfall));
    }

    /// <summary>Why a contract's step: the text of the contract round that first shed it (every contract step has one; the contract's name otherwise).</summary>
    private string WhyText(int i) => _whose[i] >= 0 ? _whyTexts[_whose[i]] : "contract " + _assigneeIds[_owner[i]];

    /// <summary>Adds miner <paramref name="i"/>'s step and its cost to each assignee; returns the power it saves, W.</summary>
    private double Step(int i, List<MinerCurtailment> steps, int[] impactMiners, double[] impactSaved, double[] impactLost, List<int> touched)
    {
        CurtailmentCandidate m = _miners[i];
        CurtailmentAction action = _action[i] == ActionSleep ? CurtailmentAction.Sleep : CurtailmentAction.LowerPower;
        double saved = m.PowerW - _planned[i];
        int owner = _owner[i];
        bool housePart = action == CurtailmentAction.LowerPower && owner == House && _houseShared[i];

        // Asleep it hashes nothing though it still draws a little; a lowered miner loses hashrate about in proportion
        // to power (the house's part of a shared miner by the stricter estimate its contracts' quotas are set by).
        double lost = action == CurtailmentAction.Sleep ? m.HashrateHs
            : housePart ? m.HashrateHs * (1 - HashFraction(_planned[i] / m.PowerW))
            : m.HashrateHs * (saved / m.PowerW);
        IReadOnlyList<PoolShare>? split = housePart ? SplitKeepingContracts(m.Shares, HashFraction(_planned[i] / m.PowerW)) : null;
        steps.Add(new MinerCurtailment(
            m.MinerId,
            m.Rack,
            action,
            action == CurtailmentAction.LowerPower ? Math.Round(_planned[i]) : null,
            _assigneeIds[owner],
            m.PowerW,
            m.JoulesPerTerahash,
            saved,
            lost,
            housePart ? HousePartWhose(m, split!) : owner == House ? HouseWhose : WhyText(i),
            housePart ? CurtailmentStepKind.LoweredHousePart : KindOf(i, action))
        {
            MeasuredHashrateHs = m.HashrateHs,
            SharesWhileCurtailed = split,
        });
        if (m.Shares.Count == 0 || housePart)
        {
            // The house's part of a shared miner costs only the house: its contracts keep their hashrate.
            Add(House, saved, lost);
            return saved;
        }

        IReadOnlyList<PoolShare> shares = m.Shares;
        for (int k = 0; k < shares.Count; k++)
        {
            PoolShare share = shares[k];
            Add(share.Assignee == HousePool.AssigneeId ? House : _assigneeIndex[share.Assignee], saved * share.Fraction, lost * share.Fraction);
        }

        return saved;

        void Add(int a, double s, double l)
        {
            if (impactMiners[a]++ == 0)
            {
                touched.Add(a);
            }

            impactSaved[a] += s;
            impactLost[a] += l;
        }
    }

    /// <summary>
    /// The share of its hashrate a miner keeps at <paramref name="powerFraction"/> of its power, counted strictly: what it
    /// draws asleep (control board, fans, power supply) does not scale with its hashrate, the rest does.
    /// </summary>
    private double HashFraction(double powerFraction) =>
        Math.Clamp((powerFraction - _settings.SleepDrawFraction) / (1 - _settings.SleepDrawFraction), 0, 1);

    /// <summary>
    /// The pool split of a shared miner whose hashrate falls to <paramref name="kept"/> of what it was: each contract's
    /// quota grows so that it keeps its hashrate (rounded up to the desired state's 0.1 % resolution), the house gets the rest.
    /// </summary>
    private static List<PoolShare> SplitKeepingContracts(IReadOnlyList<PoolShare> shares, double kept)
    {
        var split = new List<PoolShare>(shares.Count);
        double contracts = 0;
        foreach (PoolShare s in shares)
        {
            if (s.Assignee != HousePool.AssigneeId)
            {
                double f = Math.Min(1, Math.Ceiling((s.Fraction / Math.Max(kept, Epsilon) * 1000) - 1e-6) / 1000);
                split.Add(new PoolShare(s.Assignee, f));
                contracts += f;
            }
        }

        if (contracts > 1)
        {
            // Cannot happen above the house floor; scaled so the split stays whole rather than over 100 %.
            split = [.. split.Select(s => new PoolShare(s.Assignee, s.Fraction / contracts))];
        }
        else if (1 - contracts >= 0.001)
        {
            split.Add(new PoolShare(HousePool.AssigneeId, Math.Round(1 - contracts, 3)));
        }

        return split;
    }

    private static string HousePartWhose(CurtailmentCandidate m, IReadOnlyList<PoolShare> split)
    {
        string contracts = string.Join(", ", m.Shares.Where(s => s.Assignee != HousePool.AssigneeId).Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Assignee} {s.Fraction:P0} → {split.Where(x => x.Assignee == s.Assignee).Sum(x => x.Fraction):P1}")));
        double house = m.Shares.Where(s => s.Assignee == HousePool.AssigneeId).Sum(s => s.Fraction);
        return string.Create(CultureInfo.InvariantCulture, $"house part ({house:P0}) of a miner shared with contracts, which keep their hashrate by a larger quota ({contracts})");
    }

    private CurtailmentStepKind KindOf(int i, CurtailmentAction action) => action switch
    {
        CurtailmentAction.LowerPower when _planned[i] <= _floor[i] + Epsilon => CurtailmentStepKind.LoweredToFloor,
        CurtailmentAction.LowerPower => CurtailmentStepKind.LoweredEnough,
        _ when double.IsPositiveInfinity(_goal.ShedW) => CurtailmentStepKind.SleptWholeHouse,
        _ when !_miners[i].CanSetPowerTarget => CurtailmentStepKind.SleptNoPowerTarget,
        _ => CurtailmentStepKind.SleptAfterPowerTargets,
    };

    private List<string> Notes(double shortfall)
    {
        var notes = new List<string>();
        // One note per reason: a 10,000-contract farm gets a line per kind of protection, naming the first few contracts
        // (those first by id): the reasons are grouped in one pass, and only a reason's first few are kept in order.
        var reasons = new Dictionary<string, Protection>(StringComparer.Ordinal);
        for (int a = House + 1; a < _assigneeIds.Count; a++)
        {
            if (_protectedMiners[a] == 0)
            {
                continue;
            }

            string why = _notCurtailableWhy[a] ?? "protected";
            if (!reasons.TryGetValue(why, out Protection? p))
            {
                reasons[why] = p = new Protection(why);
            }

            p.Add(_assigneeIds[a], _protectedMiners[a]);
        }

        var ordered = new List<Protection>(reasons.Values);
        ordered.Sort((x, y) => string.CompareOrdinal(x.First[0].Id, y.First[0].Id));
        foreach (Protection p in ordered)
        {
            if (p.Contracts == 1)
            {
                notes.Add($"contract {p.First[0].Id} untouched ({p.First[0].Miners} miner(s)): {p.Why}");
                continue;
            }

            string named = string.Join(", ", p.First.Select(kv => $"{kv.Id} ({kv.Miners})"));
            string more = p.Contracts > MaxNamedInNote ? $" and {p.Contracts - MaxNamedInNote} more" : string.Empty;
            notes.Add($"{p.Contracts} contracts untouched ({p.Miners} miner(s)): {p.Why}: {named}{more}");
        }
        if (_incapable > 0)
        {
            notes.Add($"{_incapable} miner(s) cannot be curtailed: their agents report neither sleep/resume nor a power target");
        }

        if (_unmeasured > 0)
        {
            notes.Add($"{_unmeasured} miner(s) left out: no measured power or hashrate");
        }

        if (shortfall > Epsilon)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{shortfall / 1000:0.0} kW short of the goal: the rest runs protected contracts or miners that cannot be curtailed"));
        }

        return notes;
    }

    /// <summary>Contracts left alone for one reason: how many, their miners, and the first few by id (in order).</summary>
    private sealed class Protection(string why)
    {
        public string Why { get; } = why;

        public int Contracts { get; private set; }

        public int Miners { get; private set; }

        public List<(string Id, int Miners)> First { get; } = new(MaxNamedInNote + 1);

        public void Add(string id, int miners)
        {
            Contracts++;
            Miners += miners;
            if (First.Count == MaxNamedInNote && string.CompareOrdinal(id, First[^1].Id) >= 0)
            {
                return;
            }

            int at = First.Count;
            while (at > 0 && string.CompareOrdinal(id, First[at - 1].Id) < 0)
            {
                at--;
            }

            First.Insert(at, (id, miners));
            if (First.Count > MaxNamedInNote)
            {
                First.RemoveAt(MaxNamedInNote);
            }
        }
    }
}
