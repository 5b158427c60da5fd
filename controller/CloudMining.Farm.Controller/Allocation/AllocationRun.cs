using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Allocation;

/// <summary>One solve of the allocator: index the fleet, keep valid shares, trim, fill, hand the rest to the house pool, explain.</summary>
internal sealed partial class AllocationRun
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
            // A miner that keeps its place (young suspicion) weighs its kept shares at its believed rate from before, so
            // nothing around it moves; it is never handed new shares (see BuildPool) and never sold (IsSellable).
            _capacity[i] = _miners[i].KeepsPlace ? _miners[i].HeldHashrate.HashesPerSecond : _miners[i].SellableHashrate.HashesPerSecond;
            _free[i] = _miners[i].IsSellable || _miners[i].KeepsPlace ? 1 : 0;
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

    /// <summary>Iterations of the fill loops so far: at most contracts × (3 × miners + 3), whatever the figures (tests check it).</summary>
    internal long Steps { get; private set; }

    public AllocationPlan Execute()
    {
        KeepValidShares();
        ReleaseGoneMiners();
        TrimOverTarget();
        Fill();
        return BuildPlan();
    }

    private (MoveReason Kind, string Reason) MinerLoss(int i)
    {
        Miner m = _miners[i];
        if (m.Drained)
        {
            return (MoveReason.MinerDrained, $"miner {m.Id} drained for maintenance");
        }

        if (m.SuspectReason is { } suspect)
        {
            return (MoveReason.MinerUnhealthy, $"miner {m.Id} is suspect: {suspect}");
        }

        if (m.PoolsReadOnly)
        {
            return (MoveReason.MinerUnhealthy, $"miner {m.Id}'s pools cannot be set: {m.PoolsReadOnlyReason ?? $"firmware profile {m.FirmwareProfile}"}");
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

    /// <summary>
    /// A fraction rounded up to the quota resolution, at least one step and at most the whole miner: a remainder tiny
    /// against a miner's capacity still takes one step, so every quota share makes progress (a share of 0 never ends).
    /// </summary>
    internal double RoundUp(double fraction)
    {
        double res = _options.QuotaResolution;
        double steps = Math.Ceiling((fraction / res) - 1e-6);
        return !(steps >= 1) ? res : Math.Min(1, steps * res);
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
