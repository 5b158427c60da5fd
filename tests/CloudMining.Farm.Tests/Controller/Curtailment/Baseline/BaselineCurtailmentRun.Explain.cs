using System.Globalization;
using System.Runtime.InteropServices;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;

namespace CloudMining.Farm.Tests.Controller.Curtailment.Baseline;

// Explain: one reason per step (whose hashrate, how efficient, why this action), the cost per assignee, and the notes
// that explain what the plan left alone.
internal sealed partial class BaselineCurtailmentRun
{
    private const string HouseWhose = "house (unsold) hashrate";
    private const int MaxNamedInNote = 10;

    private CurtailmentPlan Explain(double measured)
    {
        var steps = new List<MinerCurtailment>(_order.Count);
        var impact = new Dictionary<string, (int Miners, double SavedW, double LostHs)>(StringComparer.Ordinal);
        double shed = 0;
        // The table reads strictly least efficient first within each tier: the house, then the curtailable contracts.
        int[] order = [.. _order];
        Array.Sort(order, (a, b) =>
        {
            int byTier = (_owner[a] == HousePool.AssigneeId ? 0 : 1).CompareTo(_owner[b] == HousePool.AssigneeId ? 0 : 1);
            if (byTier != 0)
            {
                return byTier;
            }

            int byEfficiency = _joulesPerTerahash[b].CompareTo(_joulesPerTerahash[a]);
            return byEfficiency != 0 ? byEfficiency : string.CompareOrdinal(_miners[a].MinerId, _miners[b].MinerId);
        });
        foreach (int i in order)
        {
            CurtailmentCandidate m = _miners[i];
            CurtailmentAction action = _action[i]!.Value;
            double saved = m.PowerW - _planned[i];
            string owner = _owner[i]!;
            bool housePart = action == CurtailmentAction.LowerPower && owner == HousePool.AssigneeId && _houseFloor.Count > 0 && _houseFloor.ContainsKey(i);

            // Asleep it hashes nothing though it still draws a little; a lowered miner loses hashrate about in proportion
            // to power (the house's part of a shared miner by the stricter estimate its contracts' quotas are set by).
            double lost = action == CurtailmentAction.Sleep ? m.HashrateHs
                : housePart ? m.HashrateHs * (1 - HashFraction(_planned[i] / m.PowerW))
                : m.HashrateHs * (saved / m.PowerW);
            shed += saved;
            IReadOnlyList<PoolShare>? split = housePart ? SplitKeepingContracts(m.Shares, HashFraction(_planned[i] / m.PowerW)) : null;
            steps.Add(new MinerCurtailment(
                m.MinerId,
                m.Rack,
                action,
                action == CurtailmentAction.LowerPower ? Math.Round(_planned[i]) : null,
                owner,
                m.PowerW,
                _joulesPerTerahash[i],
                saved,
                lost,
                housePart ? HousePartWhose(m, split!) : owner == HousePool.AssigneeId ? HouseWhose : _whose[i]!,
                housePart ? CurtailmentStepKind.LoweredHousePart : KindOf(i, action))
            {
                MeasuredHashrateHs = m.HashrateHs,
                SharesWhileCurtailed = split,
            });
            if (m.Shares.Count == 0 || housePart)
            {
                // The house's part of a shared miner costs only the house: its contracts keep their hashrate.
                Add(impact, HousePool.AssigneeId, saved, lost);
                continue;
            }

            foreach (PoolShare share in m.Shares)
            {
                Add(impact, share.Assignee, saved * share.Fraction, lost * share.Fraction);
            }
        }

        double shortfall = double.IsPositiveInfinity(_goal.ShedW) ? 0 : Math.Max(0, _goal.ShedW - shed);
        List<AssigneeCurtailment> assignees =
        [
            .. impact.OrderBy(kv => kv.Key == HousePool.AssigneeId ? 0 : 1).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new AssigneeCurtailment(kv.Key, kv.Key == HousePool.AssigneeId || (_contracts.TryGetValue(kv.Key, out CurtailmentContract? c) && c.Terms.Curtailable), kv.Value.Miners, kv.Value.SavedW, kv.Value.LostHs)),
        ];
        return new CurtailmentPlan(_goal, steps, measured, shed, shortfall, assignees, Notes(shortfall));
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

    private static void Add(Dictionary<string, (int Miners, double SavedW, double LostHs)> impact, string assignee, double saved, double lost)
    {
        ref (int Miners, double SavedW, double LostHs) entry = ref CollectionsMarshal.GetValueRefOrAddDefault(impact, assignee, out _);
        entry = (entry.Miners + 1, entry.SavedW + saved, entry.LostHs + lost);
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
        // One note per reason: a 10,000-contract farm gets a line per kind of protection, naming the first few contracts.
        foreach (IGrouping<string, KeyValuePair<string, int>> why in _protectedMiners
            .GroupBy(kv => _notCurtailableWhy.GetValueOrDefault(kv.Key, "protected"), StringComparer.Ordinal)
            .OrderBy(g => g.Min(kv => kv.Key), StringComparer.Ordinal))
        {
            KeyValuePair<string, int>[] contracts = [.. why.OrderBy(kv => kv.Key, StringComparer.Ordinal)];
            if (contracts.Length == 1)
            {
                notes.Add($"contract {contracts[0].Key} untouched ({contracts[0].Value} miner(s)): {why.Key}");
                continue;
            }

            string named = string.Join(", ", contracts.Take(MaxNamedInNote).Select(kv => $"{kv.Key} ({kv.Value})"));
            string more = contracts.Length > MaxNamedInNote ? $" and {contracts.Length - MaxNamedInNote} more" : string.Empty;
            notes.Add($"{contracts.Length} contracts untouched ({contracts.Sum(kv => kv.Value)} miner(s)): {why.Key}: {named}{more}");
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
}
