using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>One solve of the allocator: index the fleet, keep valid shares, trim, fill, hand the rest to the house pool, explain.</summary>
internal sealed class AllocationRun
{
    private const double Epsilon = 1e-9;

    // Below one MH/s a difference is floating-point noise, not hashrate anybody could deliver or miss.
    private const double NegligibleHashesPerSecond = 1e6;

    private static readonly IReadOnlyList<PoolShare> NoShares = [];

    private readonly AllocatorOptions _options;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> _current;

    private readonly Miner[] _miners;
    private readonly int[] _rackOf;
    private readonly int[] _pduOf;
    private readonly string[] _rackNames;
    private readonly int[] _rackStart;
    private readonly double[] _capacity;
    private readonly double[] _free;
    // Shares live in fixed slots (MaxPoolsPerMiner per miner) in one array: no per-miner allocation on a 100,000-miner fleet.
    private readonly int _slots;
    private readonly ContractShare[] _shareSlots;
    private readonly byte[] _shareCount;
    private readonly MoveReason?[] _kindOf;
    private readonly string?[] _reasonOf;
    private readonly bool[] _rackLostPower;

    private readonly Contract[] _contracts;
    private readonly Dictionary<string, int> _contractIndex;
    private readonly double[] _allocated;
    private readonly List<int>?[] _minersOf;
    private readonly string?[] _cause;
    private readonly bool[] _hadShares;

    private readonly List<AllocationMove> _goneMoves = [];
    private readonly HashSet<string> _present;
    private int _currentMatched;

    public AllocationRun(
        AllocatorOptions options,
        IReadOnlyList<Miner> miners,
        IReadOnlyList<Contract> contracts,
        IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> current)
    {
        _options = options;
        _current = current;

        // Canonical order (rack, PDU, id) makes the plan independent of input order and groups failure domains contiguously.
        var byRack = new Dictionary<string, List<Miner>>(StringComparer.Ordinal);
        HashSet<string> seen = _present = new HashSet<string>(miners.Count, StringComparer.Ordinal);
        foreach (Miner m in miners)
        {
            if (!seen.Add(m.Id))
            {
                throw new ArgumentException($"Miner id '{m.Id}' appears twice in the fleet; every miner needs a unique stable id.", nameof(miners));
            }

            if (!byRack.TryGetValue(m.Rack, out List<Miner>? list))
            {
                list = [];
                byRack[m.Rack] = list;
            }

            list.Add(m);
        }

        _rackNames = [.. byRack.Keys];
        Array.Sort(_rackNames, StringComparer.Ordinal);
        int n = miners.Count;
        _miners = new Miner[n];
        _rackOf = new int[n];
        _pduOf = new int[n];
        _rackStart = new int[_rackNames.Length + 1];
        _rackLostPower = new bool[_rackNames.Length];
        int at = 0;
        int pdu = -1;
        for (int r = 0; r < _rackNames.Length; r++)
        {
            List<Miner> list = byRack[_rackNames[r]];
            list.Sort(static (a, b) =>
            {
                int c = string.CompareOrdinal(a.Pdu, b.Pdu);
                return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
            });
            _rackStart[r] = at;
            bool anyUp = false;
            bool anyOffline = false;
            for (int k = 0; k < list.Count; k++)
            {
                if (k == 0 || !string.Equals(list[k].Pdu, list[k - 1].Pdu, StringComparison.Ordinal))
                {
                    pdu++;
                }

                _miners[at] = list[k];
                _rackOf[at] = r;
                _pduOf[at] = pdu;
                anyUp |= !list[k].Drained && list[k].Health != MinerHealth.Offline;
                anyOffline |= !list[k].Drained && list[k].Health == MinerHealth.Offline;
                at++;
            }

            // A whole rack dark at once is a power or network event, which the operator should read as such.
            _rackLostPower[r] = anyOffline && !anyUp && list.Count > 1;
        }

        _rackStart[_rackNames.Length] = at;
        _capacity = new double[n];
        _free = new double[n];
        _slots = options.MaxPoolsPerMiner;
        _shareSlots = new ContractShare[n * _slots];
        _shareCount = new byte[n];
        _kindOf = new MoveReason?[n];
        _reasonOf = new string?[n];
        for (int i = 0; i < n; i++)
        {
            _capacity[i] = _miners[i].SellableHashrate.HashesPerSecond;
            _free[i] = _miners[i].IsSellable ? 1 : 0;
        }

        // Oldest contracts are served first, so a shortage falls on the most recently sold hashrate.
        _contracts = [.. contracts];
        Array.Sort(_contracts, static (a, b) =>
        {
            int c = a.Term.Start.CompareTo(b.Term.Start);
            return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
        });
        _contractIndex = new Dictionary<string, int>(_contracts.Length, StringComparer.Ordinal);
        for (int c = 0; c < _contracts.Length; c++)
        {
            if (!_contractIndex.TryAdd(_contracts[c].Id, c))
            {
                throw new ArgumentException($"Contract id '{_contracts[c].Id}' appears twice; contract ids must be unique.", nameof(contracts));
            }
        }

        _allocated = new double[_contracts.Length];
        _minersOf = new List<int>?[_contracts.Length];
        _cause = new string?[_contracts.Length];
        _hadShares = new bool[_contracts.Length];
    }

    public AllocationPlan Execute()
    {
        KeepValidShares();
        ReleaseGoneMiners();
        TrimOverTarget();
        Fill();
        return BuildPlan();
    }

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
                if (!m.IsSellable)
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
            if (k < 0 || Slot(i, k).Fraction >= 1 - Epsilon)
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
            if (k >= 0 && Slot(i, k).Fraction >= 1 - Epsilon && _capacity[i] <= excess)
            {
                SetShare(i, k, c, 0);
                excess -= _capacity[i];
                Note(i, MoveReason.ContractOverTarget, reason);
                pool?.ReturnWhole(i, _miners[i].SupportsPoolQuotas);
            }
        }
    }

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
            while (need > NegligibleHashesPerSecond)
            {
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
                if (_miners[i].SupportsPoolQuotas && _free[i] > Epsilon && _free[i] < 1 - Epsilon && CountShares(i) + 2 <= _options.MaxPoolsPerMiner)
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
            if (_miners[i].SupportsPoolQuotas != quotaCapable || _free[i] < 1 - Epsilon)
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
                    delivered[s.Contract] += s.Fraction * _capacity[i];
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

            if (m.IsSellable)
            {
                // With every pool slot taken by contracts, quotas are ratios: the contracts share any sliver left over.
                if (_free[i] > Epsilon && buffer.Count < _options.MaxPoolsPerMiner)
                {
                    buffer.Add(new PoolShare(HousePool.AssigneeId, _free[i]));
                    house += _free[i] * _capacity[i];
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

    private (MoveReason Kind, string Reason) MinerLoss(int i)
    {
        Miner m = _miners[i];
        if (m.Drained)
        {
            return (MoveReason.MinerDrained, $"miner {m.Id} drained for maintenance");
        }

        if (_rackLostPower[_rackOf[i]])
        {
            return (MoveReason.RackLostPower, $"rack {m.Rack} lost power");
        }

        return (MoveReason.MinerUnhealthy, m.Health == MinerHealth.Healthy
            ? $"miner {m.Id} measures no hashrate"
            : $"miner {m.Id} is {m.Health.ToString().ToLowerInvariant()}");
    }

    private bool CanAccept(int i, double need)
    {
        int count = CountShares(i);
        // One slot stays free for the house pool unless the new share takes everything that is left.
        bool takesRest = _free[i] * _capacity[i] <= need + NegligibleHashesPerSecond;
        return count + (takesRest ? 1 : 2) <= _options.MaxPoolsPerMiner;
    }

    private double RoundUp(double fraction)
    {
        double res = _options.QuotaResolution;
        return Math.Min(1, Math.Ceiling((fraction / res) - 1e-6) * res);
    }

    private int CountShares(int i) => _shareCount[i];

    private ref ContractShare Slot(int i, int k) => ref _shareSlots[(i * _slots) + k];

    private int FindShare(int i, int c)
    {
        for (int k = 0; k < _shareCount[i]; k++)
        {
            if (Slot(i, k).Contract == c)
            {
                return k;
            }
        }

        return -1;
    }

    private void AddShare(int i, int c, double fraction)
    {
        int k = FindShare(i, c);
        if (k >= 0)
        {
            SetShare(i, k, c, Slot(i, k).Fraction + fraction);
            return;
        }

        Slot(i, _shareCount[i]++) = new ContractShare(c, fraction);
        (_minersOf[c] ??= []).Add(i);
        _free[i] = Math.Max(0, _free[i] - fraction);
        _allocated[c] += fraction * _capacity[i];
    }

    private void SetShare(int i, int k, int c, double fraction)
    {
        double delta = fraction - Slot(i, k).Fraction;
        if (fraction <= Epsilon)
        {
            for (int j = k + 1; j < _shareCount[i]; j++)
            {
                Slot(i, j - 1) = Slot(i, j);
            }

            _shareCount[i]--;
        }
        else
        {
            Slot(i, k) = new ContractShare(c, fraction);
        }

        _free[i] = Math.Clamp(_free[i] - delta, 0, 1);
        _allocated[c] += delta * _capacity[i];
    }

    private void Note(int i, MoveReason kind, string reason)
    {
        _kindOf[i] = kind;
        _reasonOf[i] = reason;
    }
}
