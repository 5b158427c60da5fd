using System.Globalization;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Curtailment;

// Explain: one reason per step (whose hashrate, how efficient, why this action), the cost per assignee, and the notes
// that explain what the plan left alone.
internal sealed partial class CurtailmentRun
{
    private CurtailmentPlan Explain(double measured)
    {
        var steps = new List<MinerCurtailment>(_order.Count);
        var impact = new Dictionary<string, (int Miners, double SavedW, double LostHs)>(StringComparer.Ordinal);
        double shed = 0;
        foreach (int i in _order)
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
                m.JoulesPerTerahash,
                saved,
                lost,
                Reason(i, action, owner)));
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
        (int miners, double s, double l) = impact.GetValueOrDefault(assignee);
        impact[assignee] = (miners + 1, s + saved, l + lost);
    }

    private string Reason(int i, CurtailmentAction action, string owner)
    {
        CurtailmentCandidate m = _miners[i];
        string whose = owner == HousePool.AssigneeId
            ? "house (unsold) hashrate"
            : $"contract {owner} is curtailable ({_contracts[owner].Terms}, {_contracts[owner].AllowanceLeft.TotalHours:0.##} h left); {_contractWhy.GetValueOrDefault(i, "the house ran out")}";
        string efficiency = double.IsPositiveInfinity(m.JoulesPerTerahash)
            ? "draws power and hashes nothing"
            : string.Create(CultureInfo.InvariantCulture, $"{m.JoulesPerTerahash:0.0} J/TH, least efficient first");
        string what = action switch
        {
            CurtailmentAction.LowerPower when _planned[i] <= _floor[i] + Epsilon =>
                string.Create(CultureInfo.InvariantCulture, $"power target {_planned[i]:0} W of {m.PowerW:0} W (its floor) before sleeping anything"),
            CurtailmentAction.LowerPower =>
                string.Create(CultureInfo.InvariantCulture, $"power target {_planned[i]:0} W of {m.PowerW:0} W: enough to meet the goal"),
            _ when double.IsPositiveInfinity(_goal.ShedW) => "sleep: the whole house stops",
            _ when !m.CanSetPowerTarget => "sleep: its firmware takes no power target",
            _ => "sleep: power targets did not shed enough",
        };
        return $"{whose}; {efficiency}; {what}";
    }

    private List<string> Notes(double shortfall)
    {
        var notes = new List<string>();
        foreach ((string id, int miners) in _protectedMiners.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            notes.Add($"contract {id} untouched ({miners} miner(s)): {_notCurtailableWhy.GetValueOrDefault(id, "protected")}");
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
