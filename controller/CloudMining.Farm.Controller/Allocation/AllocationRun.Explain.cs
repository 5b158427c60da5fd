using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>One solve of the allocator, steps 5–6: hand the rest to the house pool and explain every change against the current assignment.</summary>
internal sealed partial class AllocationRun
{
    private AllocationPlan BuildPlan()
    {
        var assignments = new Dictionary<string, IReadOnlyList<PoolShare>>(_miners.Length, StringComparer.Ordinal);
        var moves = new List<AllocationMove>(_goneMoves);
        int switches = 0;
        foreach (AllocationMove g in _goneMoves)
        {
            switches += g.IsPoolSwitch ? 1 : 0;
        }

        int quotaAdjustments = 0;
        double house = 0;
        int nc = _contracts.Length;
        double[] delivered = new double[nc];
        int[] whole = new int[nc];
        int[] quota = new int[nc];
        int[] racks = new int[nc];
        int[] pdus = new int[nc];
        int[] lastRack = new int[nc];
        int[] lastPdu = new int[nc];
        Array.Fill(lastRack, -1);
        Array.Fill(lastPdu, -1);
        var buffer = new List<PoolShare>(_options.MaxPoolsPerMiner);

        for (int i = 0; i < _miners.Length; i++)
        {
            Miner m = _miners[i];
            buffer.Clear();
            for (int slot = 0; slot < _shareCount[i]; slot++)
            {
                ContractShare s = Slot(i, slot);
                {
                    buffer.Add(new PoolShare(_contracts[s.Contract].Id, s.Fraction));
                    // A suspect miner keeping its place holds the share but counts nothing: its rate is not believed now.
                    delivered[s.Contract] += m.KeepsPlace ? 0 : s.Fraction * _capacity[i];
                    if (s.Fraction >= 1 - Epsilon)
                    {
                        whole[s.Contract]++;
                    }
                    else
                    {
                        quota[s.Contract]++;
                    }

                    if (lastRack[s.Contract] != _rackOf[i])
                    {
                        lastRack[s.Contract] = _rackOf[i];
                        racks[s.Contract]++;
                    }

                    if (lastPdu[s.Contract] != _pduOf[i])
                    {
                        lastPdu[s.Contract] = _pduOf[i];
                        pdus[s.Contract]++;
                    }
                }
            }

            if (m.IsSellable || m.KeepsPlace)
            {
                // With every pool slot taken by contracts, quotas are ratios: the contracts share any sliver left over.
                if (_free[i] > Epsilon && buffer.Count < _options.MaxPoolsPerMiner)
                {
                    buffer.Add(new PoolShare(HousePool.AssigneeId, _free[i]));
                    house += m.KeepsPlace ? 0 : _free[i] * _capacity[i];
                }
            }
            else if (!m.Drained)
            {
                // An unhealthy miner owes nobody hashrate; whatever it still produces goes to the operator, never uncounted to a customer.
                buffer.Add(new PoolShare(HousePool.AssigneeId, 1));
            }

            IReadOnlyList<PoolShare> old = _current.TryGetValue(m.Id, out IReadOnlyList<PoolShare>? o) ? o : NoShares;
            if (SameShares(old, buffer, out bool samePools))
            {
                assignments[m.Id] = old;
                continue;
            }

            PoolShare[] now = [.. buffer];
            assignments[m.Id] = now;
            (MoveReason kind, string reason) = _kindOf[i] is { } k
                ? (k, _reasonOf[i]!)
                : m.IsSellable ? (MoveReason.UnsoldToHouse, "unsold hashrate to the house pool") : MinerLoss(i);
            moves.Add(new AllocationMove(m.Id, m.Rack, old, now, kind, reason, !samePools));
            if (samePools)
            {
                quotaAdjustments++;
            }
            else
            {
                switches++;
            }
        }

        var results = new ContractAllocation[nc];
        for (int c = 0; c < nc; c++)
        {
            double target = _contracts[c].Target.HashesPerSecond;
            double shortfall = target - delivered[c];
            results[c] = new ContractAllocation(
                _contracts[c].Id,
                _contracts[c].Target,
                new Hashrate(delivered[c]),
                new Hashrate(shortfall > NegligibleHashesPerSecond ? shortfall : 0),
                whole[c],
                quota[c],
                racks[c],
                pdus[c]);
        }

        return new AllocationPlan(assignments, moves, results, switches, quotaAdjustments, new Hashrate(house));
    }

    private static bool SameShares(IReadOnlyList<PoolShare> old, List<PoolShare> now, out bool samePools)
    {
        samePools = old.Count == now.Count;
        if (!samePools)
        {
            return false;
        }

        bool sameFractions = true;
        foreach (PoolShare s in now)
        {
            bool found = false;
            for (int k = 0; k < old.Count; k++)
            {
                PoolShare t = old[k];
                if (string.Equals(s.Assignee, t.Assignee, StringComparison.Ordinal))
                {
                    found = true;
                    sameFractions &= Math.Abs(s.Fraction - t.Fraction) <= Epsilon;
                    break;
                }
            }

            if (!found)
            {
                samePools = false;
                return false;
            }
        }

        return sameFractions;
    }
}
