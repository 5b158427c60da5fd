using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>One solve of the allocator, steps 2–3: keep valid shares, release lost ones, trim surplus.</summary>
internal sealed partial class AllocationRun
{
    private void KeepValidShares()
    {
        for (int i = 0; i < _miners.Length; i++)
        {
            if (!_current.TryGetValue(_miners[i].Id, out IReadOnlyList<PoolShare>? shares))
            {
                continue;
            }

            _currentMatched++;

            Miner m = _miners[i];
            double used = 0;
            // Indexed loops: foreach over an IReadOnlyList boxes an enumerator per miner, which shows at 100,000 miners.
            for (int k = 0; k < shares.Count; k++)
            {
                PoolShare s = shares[k];
                if (string.Equals(s.Assignee, HousePool.AssigneeId, StringComparison.Ordinal) || s.Fraction <= 0)
                {
                    continue;
                }

                if (!_contractIndex.TryGetValue(s.Assignee, out int c))
                {
                    Note(i, MoveReason.ContractEnded, $"contract {s.Assignee} ended");
                    continue;
                }

                _hadShares[c] = true;
                if (!m.IsSellable && !m.KeepsPlace)
                {
                    (MoveReason kind, string reason) = MinerLoss(i);
                    Note(i, kind, reason);
                    _cause[c] ??= reason;
                    continue;
                }

                if (used + s.Fraction > 1 + Epsilon || CountShares(i) + 1 > _options.MaxPoolsPerMiner)
                {
                    // A stored state that over-allocates a miner (or exceeds the pool limit) is corrected, never carried forward.
                    string reason = $"miner {m.Id} was over-allocated; share of {s.Assignee} released";
                    Note(i, MoveReason.ContractUnderTarget, reason);
                    _cause[c] ??= reason;
                    continue;
                }

                AddShare(i, c, s.Fraction);
                used += s.Fraction;
            }
        }
    }

    private void ReleaseGoneMiners()
    {
        var gone = new List<string>();
        // When every entry of the current assignment matched a miner, nobody is gone and the scan is skipped.
        if (_current.Count > _currentMatched)
        {
            foreach (string id in _current.Keys)
            {
                if (!_present.Contains(id) && _current[id].Count > 0)
                {
                    gone.Add(id);
                }
            }
        }

        gone.Sort(StringComparer.Ordinal);
        foreach (string id in gone)
        {
            string reason = $"miner {id} no longer in the fleet";
            bool any = false;
            foreach (PoolShare s in _current[id])
            {
                if (_contractIndex.TryGetValue(s.Assignee, out int c))
                {
                    _hadShares[c] = true;
                    _cause[c] ??= reason;
                    any = true;
                }
            }

            _goneMoves.Add(new AllocationMove(id, "?", _current[id], NoShares, MoveReason.MinerGone, reason, any || _current[id].Count > 0));
        }
    }

    private void TrimOverTarget()
    {
        for (int c = 0; c < _contracts.Length; c++)
        {
            TrimContract(c, null);
        }
    }

    /// <summary>Gives back surplus above target: quota shares shrink first (no pool switch), whole miners go only when a whole miner's worth is surplus.</summary>
    /// <remarks>During a fill (<paramref name="pool"/> given) released room goes back to the pool for the contracts still to be served.</remarks>
    private void TrimContract(int c, FreeMinerPool? pool)
    {
        double target = _contracts[c].Target.HashesPerSecond;
        double excess = _allocated[c] - target;
        if (excess <= Math.Max(target * _options.Tolerance, NegligibleHashesPerSecond) || _minersOf[c] is not { } list)
        {
            return;
        }

        string reason = $"contract {_contracts[c].Id} over target by {new Hashrate(excess).Format(HashrateUnit.TH)}";
        foreach (int i in list)
        {
            int k = FindShare(i, c);
            // A miner keeping its place (young suspicion) is not trimmed: its shares stay exactly as they are.
            if (k < 0 || Slot(i, k).Fraction >= 1 - Epsilon || _miners[i].KeepsPlace)
            {
                continue;
            }

            double f = Slot(i, k).Fraction;
            double cut = Math.Min(f, Math.Floor(excess / _capacity[i] / _options.QuotaResolution) * _options.QuotaResolution);
            // A miner already split the maximum number of ways has no slot for the house pool to take the freed room.
            if (cut <= 0 || (CountShares(i) >= _options.MaxPoolsPerMiner && cut < f - Epsilon))
            {
                continue;
            }

            SetShare(i, k, c, f - cut);
            excess -= cut * _capacity[i];
            if (pool is null)
            {
                Note(i, MoveReason.ContractOverTarget, reason);
            }
            else
            {
                pool.AddPartial(i);
            }
        }


        for (int j = list.Count - 1; j >= 0; j--)
        {
            int i = list[j];
            int k = FindShare(i, c);
            if (k >= 0 && Slot(i, k).Fraction >= 1 - Epsilon && _capacity[i] <= excess && !_miners[i].KeepsPlace)
            {
                SetShare(i, k, c, 0);
                excess -= _capacity[i];
                Note(i, MoveReason.ContractOverTarget, reason);
                pool?.ReturnWhole(i, _miners[i].SupportsPoolQuotas);
            }
        }
    }
}
