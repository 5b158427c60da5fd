using System.Globalization;
using System.Runtime.InteropServices;
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
            double lost = m.HashrateHs * (saved / m.PowerW);
            shed += saved;
            string owner = _owner[i]!;
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
                owner == HousePool.AssigneeId ? HouseWhose : _whose[i]!,
                KindOf(i, action)));
            if (m.Shares.Count == 0)
            {
                Add(impact, HousePool.AssigneeId, saved, lost);
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
