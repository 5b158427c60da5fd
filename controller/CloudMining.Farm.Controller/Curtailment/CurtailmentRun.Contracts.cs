using System.Globalization;

namespace CloudMining.Farm.Controller.Curtailment;

// Curtailable contracts, once the house ran out: the rest of the goal is split pro rata to each contract's measured
// power; a contract that cannot shed its part gives the remainder back to the others in the next round.
internal sealed partial class CurtailmentRun
{
    private const int MaxProRataRounds = 16;

    private void ShedContractsProRata()
    {
        int assignees = _assigneeIds.Count;
        double[] weight = new double[assignees];
        var open = new List<int>();
        for (int g = House + 1; g < assignees; g++)
        {
            if (_groupCount[g] == 0)
            {
                continue;
            }

            double w = 0;
            for (int k = _groupStart[g], end = k + _groupCount[g]; k < end; k++)
            {
                w += _miners[_groupMembers[k]].PowerW;
            }

            weight[g] = w;
            if (Room(g) > Epsilon)
            {
                open.Add(g);
            }
        }

        open.Sort((a, b) => string.CompareOrdinal(_assigneeIds[a], _assigneeIds[b]));
        for (int rounds = 0; _need > Epsilon && open.Count > 0; rounds++)
        {
            if (rounds == MaxProRataRounds)
            {
                // Pro rata converges in a few rounds; past that, whoever still has room takes the rest in id order.
                foreach (int g in open)
                {
                    _need -= ShedPart(g, _need, double.PositiveInfinity);
                }

                break;
            }

            double total = 0;
            foreach (int g in open)
            {
                total += weight[g];
            }

            double round = _need;
            double shedThisRound = 0;
            foreach (int g in open)
            {
                double part = double.IsPositiveInfinity(round) ? double.PositiveInfinity : round * weight[g] / total;
                shedThisRound += ShedPart(g, part, round);
            }

            _need -= shedThisRound;
            open.RemoveAll(g => Room(g) <= Epsilon);
            if (shedThisRound <= Epsilon)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Sheds a contract's part and records, for each miner it sheds first (a new step, or a shared miner the house
    /// lowered before and the contract now lowers further or puts to sleep), whose hashrate it is and why.
    /// </summary>
    private double ShedPart(int g, double part, double round)
    {
        int w = _whyTexts.Count;
        _claimWhy = w;
        _whyClaimed = false;
        double shed = Shed(g, part);
        _claimWhy = -1;
        if (_whyClaimed)
        {
            CurtailmentContract c = _assigneeContract[g]!;
            _whyTexts.Add(string.Create(CultureInfo.InvariantCulture, $"contract {c.Id} is curtailable ({c.Terms}, {c.AllowanceLeft.TotalHours:0.##} h left); the house ran out")
                + (double.IsPositiveInfinity(part) ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; its pro-rata part {part / 1000:0.0} kW of {round / 1000:0.0} kW by measured power")));
        }

        return shed;
    }
}
