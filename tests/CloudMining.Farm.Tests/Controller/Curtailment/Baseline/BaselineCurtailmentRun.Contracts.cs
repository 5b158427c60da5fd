using System.Globalization;
using CloudMining.Farm.Controller.Curtailment;

namespace CloudMining.Farm.Tests.Controller.Curtailment.Baseline;

// Curtailable contracts, once the house ran out: the rest of the goal is split pro rata to each contract's measured
// power; a contract that cannot shed its part gives the remainder back to the others in the next round.
internal sealed partial class BaselineCurtailmentRun
{
    private const int MaxProRataRounds = 16;

    private void ShedContractsProRata()
    {
        var weight = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Group g in _contractGroups.Values)
        {
            weight[g.Assignee] = g.Members.Sum(i => _miners[i].PowerW);
        }

        List<Group> open = [.. _contractGroups.Values.Where(g => g.Room(this) > Epsilon).OrderBy(g => g.Assignee, StringComparer.Ordinal)];
        for (int rounds = 0; _need > Epsilon && open.Count > 0; rounds++)
        {
            if (rounds == MaxProRataRounds)
            {
                // Pro rata converges in a few rounds; past that, whoever still has room takes the rest in id order.
                foreach (Group g in open)
                {
                    _need -= ShedPart(g, _need, double.PositiveInfinity);
                }

                break;
            }

            double total = open.Sum(g => weight[g.Assignee]);
            double round = _need;
            double shedThisRound = 0;
            foreach (Group g in open)
            {
                double part = double.IsPositiveInfinity(round) ? double.PositiveInfinity : round * weight[g.Assignee] / total;
                shedThisRound += ShedPart(g, part, round);
            }

            _need -= shedThisRound;
            open.RemoveAll(g => g.Room(this) <= Epsilon);
            if (shedThisRound <= Epsilon)
            {
                break;
            }
        }
    }

    /// <summary>Sheds a contract's part and records, for each new step, whose hashrate it is and why.</summary>
    private double ShedPart(Group g, double part, double round)
    {
        int before = _order.Count;
        double shed = g.Shed(this, part);
        if (_order.Count > before)
        {
            CurtailmentContract c = _contracts[g.Assignee];
            string why = string.Create(CultureInfo.InvariantCulture, $"contract {c.Id} is curtailable ({c.Terms}, {c.AllowanceLeft.TotalHours:0.##} h left); the house ran out")
                + (double.IsPositiveInfinity(part) ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; its pro-rata part {part / 1000:0.0} kW of {round / 1000:0.0} kW by measured power"));
            for (int k = before; k < _order.Count; k++)
            {
                _whose[_order[k]] = why;
            }
        }

        return shed;
    }
}
