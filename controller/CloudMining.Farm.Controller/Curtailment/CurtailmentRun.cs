using System.Buffers;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// One plan: classify the miners (house, curtailable contract, protected), shed the house, then the contracts pro rata,
/// explain. Built for 100,000 miners and 10,000 contracts: contracts are indexed once as ints (one string lookup per
/// share, nothing keyed by string after that), only the miners that can be shed are sorted, the groups are slices of one
/// array, and the fleet-sized work arrays are rented from the shared pool instead of allocated on the large-object heap.
/// </summary>
internal sealed partial class CurtailmentRun : IDisposable
{
    private const double Epsilon = 1e-6;

    /// <summary>Power kept above what a shared miner's contracts need (tuners settle around their target), as a share of its power.</summary>
    private const double SharedMargin = 0.03;

    /// <summary>The house's assignee index; contracts (and assignees the contract list does not know) follow.</summary>
    private const int House = 0;

    private const byte ActionNone = 0;
    private const byte ActionLower = 1;
    private const byte ActionSleep = 2;

    private readonly CurtailmentGoal _goal;
    private readonly CurtailmentSettings _settings;

    // Per miner (indexed by its position among the unique miners); rented, only members' entries are written.
    private CurtailmentCandidate[] _miners = [];
    private int _minerCount;
    private double[] _planned = [];
    private double[] _floor = [];
    // The house part of a miner shared with contracts: the power target the house may take it down to (its contracts
    // keep their hashrate through a larger quota); meaningful where _houseShared is set.
    private double[] _houseFloor = [];
    private bool[] _houseShared = [];
    private byte[] _action = [];
    private int[] _owner = [];
    // Per contract step: index into _whyTexts (one string per contract and pro-rata round, shared by its steps).
    private int[] _whose = [];

    // Miners that may be shed, least efficient first (most J/TH; ties by miner id).
    private int[] _sorted = [];
    private int _sortedCount;

    // Steps in the order they were first taken.
    private int[] _order = [];
    private int _orderCount;

    // Per assignee (0: the house; then the contracts in list order; then unknown assignees met in shares).
    private readonly Dictionary<string, int> _assigneeIndex;
    private readonly List<string> _assigneeIds = [HousePool.AssigneeId];
    private readonly List<CurtailmentContract?> _assigneeContract = [null];
    private sbyte[] _mayCurtail; // 0 not judged yet, 1 may, -1 may not
    private string?[] _notCurtailableWhy;
    private int[] _protectedMiners;

    // Groups: the members of assignee a are _groupMembers[_groupStart[a] .. _groupStart[a] + _groupCount[a]).
    private int[] _groupStart;
    private int[] _groupCount;
    private int[] _lowerCursor;
    private int[] _sleepCursor;
    private int[] _groupMembers = [];

    private readonly List<string> _whyTexts = [];

    // While a contract's round sheds (ShedPart): the index its reason will take in _whyTexts, -1 outside one; and
    // whether a miner took it.
    private int _claimWhy = -1;
    private bool _whyClaimed;
    private int _incapable;
    private int _unmeasured;
    private double _measured;
    private double _need;

    public CurtailmentRun(CurtailmentGoal goal, IReadOnlyList<CurtailmentCandidate> miners, IReadOnlyList<CurtailmentContract> contracts, CurtailmentSettings settings)
    {
        _goal = goal;
        _settings = settings;
        _need = goal.ShedW;
        _assigneeIndex = new Dictionary<string, int>(contracts.Count + 1, StringComparer.Ordinal);
        for (int k = 0; k < contracts.Count; k++)
        {
            CurtailmentContract c = contracts[k];
            // The first of a repeated id stands; the house's id is never a contract's.
            if (c.Id != HousePool.AssigneeId && _assigneeIndex.TryAdd(c.Id, _assigneeIds.Count))
            {
                _assigneeIds.Add(c.Id);
                _assigneeContract.Add(c);
            }
        }

        int assignees = _assigneeIds.Count;
        _mayCurtail = new sbyte[assignees];
        _notCurtailableWhy = new string?[assignees];
        _protectedMiners = new int[assignees];
        _groupStart = new int[assignees];
        _groupCount = new int[assignees];
        _lowerCursor = new int[assignees];
        _sleepCursor = new int[assignees];
        Classify(miners);
    }

    public CurtailmentPlan Run()
    {
        if (_need > Epsilon)
        {
            _need -= Shed(House, _need);
        }

        if (_need > Epsilon && !_goal.HouseOnly)
        {
            ShedContractsProRata();
        }

        return Explain(_measured);
    }

    public void Dispose()
    {
        Return(ref _miners, clear: true);
        Return(ref _planned);
        Return(ref _floor);
        Return(ref _houseFloor);
        Return(ref _houseShared);
        Return(ref _action);
        Return(ref _owner);
        Return(ref _whose);
        Return(ref _sorted);
        Return(ref _order);
        Return(ref _groupMembers);
    }

    private static T[] Rent<T>(int length) => length == 0 ? [] : ArrayPool<T>.Shared.Rent(length);

    private static void Return<T>(ref T[] array, bool clear = false)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array, clear);
        }

        array = [];
    }

    private static bool IsMeasured(CurtailmentCandidate m) =>
        double.IsFinite(m.PowerW) && m.PowerW > 0 && double.IsFinite(m.HashrateHs) && m.HashrateHs >= 0;

    private void Classify(IReadOnlyList<CurtailmentCandidate> miners)
    {
        int n = miners.Count;
        _miners = Rent<CurtailmentCandidate>(n);
        _planned = Rent<double>(n);
        _floor = Rent<double>(n);
        _houseFloor = Rent<double>(n);
        _houseShared = Rent<bool>(n);
        _action = Rent<byte>(n);
        _owner = Rent<int>(n);
        _whose = Rent<int>(n);
        _order = Rent<int>(n);

        // Members: the miners some group may shed, with their sort key and the contract group they belong to (-1: none).
        int[] members = Rent<int>(n);
        double[] keys = Rent<double>(n);
        int[] contractGroup = Rent<int>(n);
        int memberCount = 0;
        try
        {
            // Groups sort by efficiency with the miner id as tie-break, so the plan does not depend on the order the fleet was read in.
            var seen = new HashSet<string>(n, StringComparer.Ordinal);
            for (int x = 0; x < n; x++)
            {
                CurtailmentCandidate m = miners[x];
                if (!seen.Add(m.MinerId))
                {
                    continue;
                }

                int i = _minerCount++;
                _miners[i] = m;
                if (!IsMeasured(m))
                {
                    _unmeasured++;
                    continue;
                }

                _measured += m.PowerW;
                if (ClassifyOne(i, m, out int group))
                {
                    members[memberCount] = i;
                    double j = m.JoulesPerTerahash;
                    keys[memberCount] = double.IsNaN(j) ? double.PositiveInfinity : -j;
                    contractGroup[memberCount] = group;
                    memberCount++;
                }
            }

            SortMembers(members, keys, contractGroup, memberCount);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(members);
            ArrayPool<double>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(contractGroup);
        }
    }

    /// <summary>Sets a measured miner up; whether it is a member of the house's group or of a contract's (<paramref name="group"/>, -1: none).</summary>
    private bool ClassifyOne(int i, CurtailmentCandidate m, out int group)
    {
        group = -1;
        _planned[i] = m.PowerW;
        _action[i] = ActionNone;
        _whose[i] = -1;
        _houseShared[i] = false;
        bool target = m.CanSetPowerTarget;
        double floor = target ? m.PowerTargetMinW ?? (m.PowerW * _settings.PowerTargetFloor) : m.PowerW;
        _floor[i] = target && floor < m.PowerW ? floor : m.PowerW;
        if (!m.CanSleep && _floor[i] >= m.PowerW)
        {
            _incapable++;
            return false;
        }

        string? dominant = null;
        int dominantIndex = -1;
        double dominantFraction = 0;
        double houseFraction = 0;
        double sold = 0;
        bool blocked = false;
        IReadOnlyList<PoolShare> shares = m.Shares;
        for (int k = 0; k < shares.Count; k++)
        {
            PoolShare share = shares[k];
            if (share.Assignee == HousePool.AssigneeId)
            {
                houseFraction += share.Fraction;
                continue;
            }

            sold += share.Fraction;
            int a = AssigneeOf(share.Assignee);
            if (!MayCurtail(a))
            {
                // One protected share keeps the whole miner running: sleeping it or lowering it would take that contract's hashrate too.
                _protectedMiners[a]++;
                blocked = true;
            }
            else if (share.Fraction > dominantFraction || (share.Fraction == dominantFraction && string.CompareOrdinal(share.Assignee, dominant) < 0))
            {
                dominant = share.Assignee;
                dominantIndex = a;
                dominantFraction = share.Fraction;
            }
        }

        bool inHouse = false;
        if (sold > Epsilon && houseFraction > Epsilon && target)
        {
            // Shared with contracts: the house's part is shed by a power target down to what keeps the contracts'
            // hashrate whole (their quota grows as the miner's hashrate falls), never by sleep.
            double keep = Math.Min(1, _settings.SleepDrawFraction + (sold * (1 - _settings.SleepDrawFraction)) + SharedMargin);
            double houseFloor = Math.Max(_floor[i], m.PowerW * keep);
            if (houseFloor < m.PowerW - Epsilon)
            {
                _houseFloor[i] = houseFloor;
                _houseShared[i] = true;
                inHouse = true;
            }
        }

        if (!blocked)
        {
            if (dominantIndex < 0)
            {
                inHouse = true;
            }
            else
            {
                group = dominantIndex;
            }
        }

        if (inHouse)
        {
            _groupCount[House]++;
        }

        if (group >= 0)
        {
            _groupCount[group]++;
        }

        return inHouse || group >= 0;
    }

    /// <summary>
    /// The members least efficient first (most J/TH; ties by miner id): one sort of primitive keys, then each group is
    /// filled already in shedding order as a slice of one array.
    /// </summary>
    private void SortMembers(int[] members, double[] keys, int[] contractGroup, int count)
    {
        int[] slot = Rent<int>(count);
        try
        {
            for (int s = 0; s < count; s++)
            {
                slot[s] = s;
            }

            Array.Sort(keys, slot, 0, count);
            Comparison<int>? byId = null;
            for (int start = 0; start < count;)
            {
                int end = start + 1;
                while (end < count && keys[end] == keys[start])
                {
                    end++;
                }

                if (end - start > 1)
                {
                    byId ??= (a, b) => string.CompareOrdinal(_miners[members[a]].MinerId, _miners[members[b]].MinerId);
                    Array.Sort(slot, start, end - start, Comparer<int>.Create(byId));
                }

                start = end;
            }

            int total = 0;
            for (int a = 0; a < _groupCount.Length; a++)
            {
                _groupStart[a] = total;
                _lowerCursor[a] = total; // the fill position for now
                total += _groupCount[a];
            }

            _groupMembers = Rent<int>(total);
            _sorted = Rent<int>(count);
            _sortedCount = count;
            for (int s = 0; s < count; s++)
            {
                int m = slot[s];
                int i = members[m];
                _sorted[s] = i;
                int g = contractGroup[m];
                if (_houseShared[i] || g < 0)
                {
                    _groupMembers[_lowerCursor[House]++] = i;
                }

                if (g >= 0)
                {
                    _groupMembers[_lowerCursor[g]++] = i;
                }
            }

            Array.Copy(_groupStart, _lowerCursor, _groupStart.Length);
            Array.Copy(_groupStart, _sleepCursor, _groupStart.Length);
        }
        finally
        {
            if (slot.Length > 0)
            {
                ArrayPool<int>.Shared.Return(slot);
            }
        }
    }

    /// <summary>The index of an assignee met in a share; one the contract list does not know gets an index of its own (and is protected).</summary>
    private int AssigneeOf(string id)
    {
        if (_assigneeIndex.TryGetValue(id, out int a))
        {
            return a;
        }

        a = _assigneeIds.Count;
        _assigneeIndex[id] = a;
        _assigneeIds.Add(id);
        _assigneeContract.Add(null);
        if (a >= _mayCurtail.Length)
        {
            int size = Math.Max(4, _mayCurtail.Length * 2);
            Array.Resize(ref _mayCurtail, size);
            Array.Resize(ref _notCurtailableWhy, size);
            Array.Resize(ref _protectedMiners, size);
            Array.Resize(ref _groupStart, size);
            Array.Resize(ref _groupCount, size);
            Array.Resize(ref _lowerCursor, size);
            Array.Resize(ref _sleepCursor, size);
        }

        return a;
    }

    /// <summary>Whether the plan may touch a contract's hashrate; when not, why (for the notes).</summary>
    private bool MayCurtail(int a)
    {
        sbyte known = _mayCurtail[a];
        if (known != 0)
        {
            return known > 0;
        }

        bool may = Judge(a);
        _mayCurtail[a] = may ? (sbyte)1 : (sbyte)-1;
        return may;
    }

    private bool Judge(int a)
    {
        string? why = null;
        CurtailmentContract? c = _assigneeContract[a];
        if (_goal.HouseOnly)
        {
            why = "this plan sheds the house only";
        }
        else if (c is null || !c.Terms.Curtailable)
        {
            why = "protected: its term does not allow curtailment";
        }
        else if (c.AllowanceLeft <= TimeSpan.Zero)
        {
            why = $"curtailable {c.Terms}, but its allowance for this {CurtailmentTerms.Name(c.Terms.Period)} is used up";
        }
        else if (_goal.Duration is { } d && d > c.AllowanceLeft)
        {
            why = $"curtailable {c.Terms}, but only {c.AllowanceLeft.TotalHours:0.##} h are left this {CurtailmentTerms.Name(c.Terms.Period)} and the event lasts {d.TotalHours:0.##} h";
        }

        if (why is null)
        {
            return true;
        }

        _notCurtailableWhy[a] = why;
        return false;
    }
}
