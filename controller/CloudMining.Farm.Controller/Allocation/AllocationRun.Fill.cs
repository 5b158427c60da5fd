using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>One solve of the allocator, step 4: fill short contracts from the free miner pool.</summary>
internal sealed partial class AllocationRun
{
    private void Fill()
    {
        FreeMinerPool pool = BuildPool();
        var usedRacks = new HashSet<int>();
        for (int c = 0; c < _contracts.Length; c++)
        {
            Contract contract = _contracts[c];
            double target = contract.Target.HashesPerSecond;
            double need = target - _allocated[c];
            // Drift within tolerance is measurement noise and moves nothing; hashrate lost with a miner is always replaced.
            if (need <= Math.Max(target * _options.Tolerance, NegligibleHashesPerSecond) && _hadShares[c] && _cause[c] is null)
            {
                continue;
            }

            if (need <= NegligibleHashesPerSecond)
            {
                continue;
            }

            (MoveReason kind, string reason) = _hadShares[c]
                ? (MoveReason.ContractUnderTarget, $"contract {contract.Id} under target by {new Hashrate(need).Format(HashrateUnit.TH)}" + (_cause[c] is { } why ? $" after {why}" : string.Empty))
                : (MoveReason.NewContract, $"new contract {contract.Id} ({contract.Target.Format(HashrateUnit.TH)})");

            usedRacks.Clear();
            if (_minersOf[c] is { } held)
            {
                foreach (int i in held)
                {
                    usedRacks.Add(_rackOf[i]);
                }
            }

            bool roundedUp = false;

            // Whole miners first, each from the next rack in round-robin order that the contract does not use yet.
            while (need > NegligibleHashesPerSecond)
            {
                Steps++;
                int i = pool.PeekWhole(usedRacks);
                if (i < 0 || _capacity[i] > need + NegligibleHashesPerSecond)
                {
                    break;
                }

                pool.ConfirmWhole();
                AddShare(i, c, 1);
                Note(i, kind, reason);
                need -= _capacity[i];
                usedRacks.Add(_rackOf[i]);
            }

            // The remainder, smaller than the next miner, becomes a quota share of a miner whose firmware supports quotas.
            // Every step either covers the remainder or fills a miner, so two steps per miner always suffice;
            // the budget makes that bound hold by construction, even on floating-point noise at extreme capacities.
            int steps = (2 * _miners.Length) + 2;
            while (need > NegligibleHashesPerSecond && steps-- > 0)
            {
                Steps++;
                int i = pool.FindQuota(need, usedRacks, CanAccept);
                if (i >= 0)
                {
                    double f = RoundUp(need / _capacity[i]);
                    if (f >= _free[i] - (_options.QuotaResolution / 2))
                    {
                        f = _free[i];
                    }

                    AddShare(i, c, f);
                    Note(i, kind, reason);
                    need -= f * _capacity[i];
                    usedRacks.Add(_rackOf[i]);
                    if (_free[i] > Epsilon && CountShares(i) + 2 <= _options.MaxPoolsPerMiner)
                    {
                        pool.AddPartial(i);
                    }

                    continue;
                }

                // No quota-capable room left: round up with a whole miner rather than leave the customer short.
                i = pool.PeekWhole(null);
                if (i < 0)
                {
                    break;
                }

                pool.ConfirmWhole();
                roundedUp = true;
                AddShare(i, c, 1);
                Note(i, kind, reason + "; rounded up to a whole miner (no quota-capable miner free)");
                need -= _capacity[i];
                usedRacks.Add(_rackOf[i]);
            }

            // A whole miner taken to round up can make quota shares taken just before redundant; give them back now,
            // so that solving the resulting plan again moves nothing.
            if (roundedUp)
            {
                TrimContract(c, pool);
            }
        }
    }

    private FreeMinerPool BuildPool()
    {
        var rackLists = new int[_rackNames.Length][];
        var quotaPerRack = new List<int>[_rackNames.Length];
        var partials = new List<int>();
        var byPdu = new List<List<int>>();
        for (int r = 0; r < _rackNames.Length; r++)
        {
            var plain = new List<int>();
            var quota = new List<int>();
            Interleave(r, quotaCapable: false, plain, byPdu);
            Interleave(r, quotaCapable: true, quota, byPdu);

            // Plain miners are handed out whole first, so quota-capable ones stay available for remainders.
            rackLists[r] = [.. plain, .. quota];
            quotaPerRack[r] = quota;
            for (int i = _rackStart[r]; i < _rackStart[r + 1]; i++)
            {
                if (_miners[i].SupportsPoolQuotas && !_miners[i].KeepsPlace && _free[i] > Epsilon && _free[i] < 1 - Epsilon && CountShares(i) + 2 <= _options.MaxPoolsPerMiner)
                {
                    partials.Add(i);
                }
            }
        }

        // Fresh quota miners interleaved across racks, so consecutive remainders land on different racks.
        var quotaQueue = new List<int>();
        for (int round = 0; ; round++)
        {
            bool any = false;
            for (int r = 0; r < quotaPerRack.Length; r++)
            {
                if (round < quotaPerRack[r].Count)
                {
                    quotaQueue.Add(quotaPerRack[r][round]);
                    any = true;
                }
            }

            if (!any)
            {
                break;
            }
        }

        return new FreeMinerPool(_free, _capacity, _rackOf, rackLists, [.. quotaQueue], partials);
    }

    private void Interleave(int r, bool quotaCapable, List<int> into, List<List<int>> byPdu)
    {
        byPdu.Clear();
        int lastPdu = -1;
        for (int i = _rackStart[r]; i < _rackStart[r + 1]; i++)
        {
            if (_miners[i].SupportsPoolQuotas != quotaCapable || _free[i] < 1 - Epsilon || _miners[i].KeepsPlace)
            {
                continue;
            }

            if (_pduOf[i] != lastPdu)
            {
                byPdu.Add([]);
                lastPdu = _pduOf[i];
            }

            byPdu[^1].Add(i);
        }

        for (int round = 0; ; round++)
        {
            bool any = false;
            foreach (List<int> l in byPdu)
            {
                if (round < l.Count)
                {
                    into.Add(l[round]);
                    any = true;
                }
            }

            if (!any)
            {
                return;
            }
        }
    }
}
