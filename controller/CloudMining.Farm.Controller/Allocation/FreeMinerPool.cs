namespace CloudMining.Farm.Controller.Allocation;

/// <summary>Free hashrate during one allocator run: whole miners round-robin over racks (PDU-interleaved inside a rack), fresh quota-capable miners, and partly used quota miners.</summary>
internal sealed class FreeMinerPool
{
    private const double Whole = 1 - 1e-9;

    // Bounds keep a pick O(1) amortised even when a contract already sits on most racks; past them the pool accepts a repeated rack.
    private const int MaxRackScan = 512;
    private const int MaxQuotaScan = 64;

    private readonly double[] _free;
    private readonly double[] _capacity;
    private readonly int[] _rackOf;
    private readonly int[][] _rackLists;
    private readonly int[] _rackPos;
    private readonly List<int> _activeRacks;
    private readonly int[] _quotaQueue;
    private readonly List<int> _partials = [];
    private readonly List<int> _returned = [];
    private bool _peekReturned;
    private int _cursor;
    private int _quotaPos;
    private int _peekSlot = -1;
    private int _peekRack = -1;

    public FreeMinerPool(double[] free, double[] capacity, int[] rackOf, int[][] rackLists, int[] quotaQueue, IEnumerable<int> partials)
    {
        _free = free;
        _capacity = capacity;
        _rackOf = rackOf;
        _rackLists = rackLists;
        _rackPos = new int[rackLists.Length];
        _activeRacks = new List<int>(rackLists.Length);
        for (int r = 0; r < rackLists.Length; r++)
        {
            if (rackLists[r].Length > 0)
            {
                _activeRacks.Add(r);
            }
        }

        _quotaQueue = quotaQueue;
        _partials.AddRange(partials);
    }

    /// <summary>The next free whole miner in rack round-robin order, skipping racks in <paramref name="avoid"/> while others remain; -1 when none is free.</summary>
    public int PeekWhole(HashSet<int>? avoid)
    {
        // Miners given back during this run (a trimmed contract) come first: they sit behind the rack cursors.
        while (_returned.Count > 0 && _free[_returned[^1]] < Whole)
        {
            _returned.RemoveAt(_returned.Count - 1);
        }

        if (_returned.Count > 0 && (avoid is null || !avoid.Contains(_rackOf[_returned[^1]])))
        {
            _peekReturned = true;
            return _returned[^1];
        }

        _peekReturned = false;
        int tries = 0;
        int fallback = -1;
        int fallbackSlot = -1;
        while (_activeRacks.Count > 0 && tries < Math.Min(_activeRacks.Count, MaxRackScan))
        {
            int slot = (_cursor + tries) % _activeRacks.Count;
            int r = _activeRacks[slot];
            int i = FirstFree(r);
            if (i < 0)
            {
                _activeRacks.RemoveAt(slot);
                if (slot < _cursor)
                {
                    _cursor--;
                }

                if (fallbackSlot > slot)
                {
                    fallbackSlot--;
                }

                if (_cursor >= _activeRacks.Count)
                {
                    _cursor = 0;
                }

                continue;
            }

            if (avoid is null || !avoid.Contains(r))
            {
                _peekSlot = slot;
                _peekRack = r;
                return i;
            }

            if (fallback < 0)
            {
                fallback = i;
                fallbackSlot = slot;
            }

            tries++;
        }

        _peekSlot = fallbackSlot;
        _peekRack = fallback < 0 ? -1 : _rackOf[fallback];
        return fallback;
    }

    /// <summary>Consumes the miner returned by the last <see cref="PeekWhole"/> and moves the round-robin cursor past its rack.</summary>
    public void ConfirmWhole()
    {
        if (_peekReturned)
        {
            _returned.RemoveAt(_returned.Count - 1);
            _peekReturned = false;
            return;
        }

        _rackPos[_peekRack]++;
        _cursor = _activeRacks.Count == 0 ? 0 : (_peekSlot + 1) % _activeRacks.Count;
    }

    /// <summary>
    /// A quota-capable miner to carry a remainder of <paramref name="need"/> H/s: a partly used miner with room for it (on a new rack
    /// if possible), else a fresh one (on a new rack if possible), else the partly used miner with most room (the remainder is then split).
    /// </summary>
    public int FindQuota(double need, HashSet<int> avoid, Func<int, double, bool> canAccept)
    {
        int enoughAnyRack = -1;
        int largest = -1;
        int scanned = 0;
        for (int k = 0; k < _partials.Count && scanned < MaxQuotaScan;)
        {
            int i = _partials[k];
            double room = _free[i] * _capacity[i];
            if (_free[i] <= 1e-9 || !canAccept(i, need))
            {
                _partials[k] = _partials[^1];
                _partials.RemoveAt(_partials.Count - 1);
                continue;
            }

            scanned++;
            if (room >= need)
            {
                if (!avoid.Contains(_rackOf[i]))
                {
                    return i;
                }

                if (enoughAnyRack < 0)
                {
                    enoughAnyRack = i;
                }
            }
            else if (largest < 0 || room > _free[largest] * _capacity[largest])
            {
                largest = i;
            }

            k++;
        }

        // Packing a remainder into a miner that is already split beats opening another split miner, even on a rack the contract uses.
        if (enoughAnyRack >= 0)
        {
            return enoughAnyRack;
        }

        int freshAnyRack = -1;
        while (_quotaPos < _quotaQueue.Length && _free[_quotaQueue[_quotaPos]] < Whole)
        {
            _quotaPos++;
        }

        scanned = 0;
        for (int k = _quotaPos; k < _quotaQueue.Length && scanned < MaxQuotaScan; k++)
        {
            int i = _quotaQueue[k];
            if (_free[i] < Whole)
            {
                continue;
            }

            scanned++;
            if (!avoid.Contains(_rackOf[i]))
            {
                return i;
            }

            if (freshAnyRack < 0)
            {
                freshAnyRack = i;
            }
        }

        return freshAnyRack >= 0 ? freshAnyRack : largest;
    }

    /// <summary>Takes back a whole miner released during the run; a quota-capable one may also carry remainders.</summary>
    public void ReturnWhole(int miner, bool quotaCapable)
    {
        _returned.Add(miner);
        if (quotaCapable)
        {
            _partials.Add(miner);
        }
    }

    /// <summary>Remembers a quota miner that still has room after a share was carved from it.</summary>
    public void AddPartial(int miner) => _partials.Add(miner);

    private int FirstFree(int r)
    {
        int[] list = _rackLists[r];
        int pos = _rackPos[r];
        while (pos < list.Length && _free[list[pos]] < Whole)
        {
            pos++;
        }

        _rackPos[r] = pos;
        return pos < list.Length ? list[pos] : -1;
    }
}
