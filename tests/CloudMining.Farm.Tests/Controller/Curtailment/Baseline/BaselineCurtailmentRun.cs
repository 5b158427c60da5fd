using System.Runtime.InteropServices;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;

namespace CloudMining.Farm.Tests.Controller.Curtailment.Baseline;

/// <summary>
/// The planner as it was on main before the indexed rewrite (57c9f21), kept verbatim so a test proves the new one gives
/// identical plans and the benchmark measures both in one run. One plan: classify the miners (house, curtailable contract, protected), shed the house, then the contracts pro rata, explain.</summary>
internal sealed partial class BaselineCurtailmentRun
{
    private const double Epsilon = 1e-6;

    /// <summary>Power kept above what a shared miner's contracts need (tuners settle around their target), as a share of its power.</summary>
    private const double SharedMargin = 0.03;

    private readonly CurtailmentGoal _goal;
    private readonly CurtailmentSettings _settings;
    private readonly CurtailmentCandidate[] _miners;
    private readonly double[] _joulesPerTerahash;
    private readonly double[] _planned;
    private readonly double[] _floor;
    // The house part of a miner shared with contracts: the power target the house may take it down to (its contracts
    // keep their hashrate through a larger quota). Few miners are shared with the house: a map, not a fleet-sized array.
    private readonly Dictionary<int, double> _houseFloor = [];
    private readonly CurtailmentAction?[] _action;
    private readonly string?[] _owner;
    private readonly List<int> _order = [];
    private readonly Dictionary<string, CurtailmentContract> _contracts;
    private readonly Dictionary<string, Group> _contractGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _protectedMiners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _notCurtailableWhy = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _mayCurtail = new(StringComparer.Ordinal);
    // Per contract step: whose hashrate and why (one string per contract and pro-rata round, shared by its steps).
    private readonly string?[] _whose;
    private readonly Group _house = new(HousePool.AssigneeId);
    private int _incapable;
    private int _unmeasured;
    private double _need;

    public BaselineCurtailmentRun(CurtailmentGoal goal, IReadOnlyList<CurtailmentCandidate> miners, IReadOnlyList<CurtailmentContract> contracts, CurtailmentSettings settings)
    {
        _goal = goal;
        _settings = settings;
        _need = goal.ShedW;

        // Groups sort by efficiency with the miner id as tie-break, so the plan does not depend on the order the fleet was read in.
        var seen = new HashSet<string>(miners.Count, StringComparer.Ordinal);
        var unique = new List<CurtailmentCandidate>(miners.Count);
        foreach (CurtailmentCandidate m in miners)
        {
            if (seen.Add(m.MinerId))
            {
                unique.Add(m);
            }
        }

        _miners = [.. unique];
        _joulesPerTerahash = [.. _miners.Select(m => m.JoulesPerTerahash)];
        _planned = new double[_miners.Length];
        _floor = new double[_miners.Length];
        _action = new CurtailmentAction?[_miners.Length];
        _owner = new string?[_miners.Length];
        _whose = new string?[_miners.Length];
        _contracts = contracts.DistinctBy(c => c.Id, StringComparer.Ordinal).ToDictionary(c => c.Id, StringComparer.Ordinal);
        Classify();
    }

    public CurtailmentPlan Run()
    {
        double measured = 0;
        foreach (CurtailmentCandidate m in _miners)
        {
            measured += IsMeasured(m) ? m.PowerW : 0;
        }

        if (_need > Epsilon)
        {
            _need -= _house.Shed(this, _need);
        }

        if (_need > Epsilon && !_goal.HouseOnly)
        {
            ShedContractsProRata();
        }

        return Explain(measured);
    }

    private static bool IsMeasured(CurtailmentCandidate m) =>
        double.IsFinite(m.PowerW) && m.PowerW > 0 && double.IsFinite(m.HashrateHs) && m.HashrateHs >= 0;

    /// <summary>
    /// Every miner's index, least efficient first (most J/TH; ties by miner id): one sort of primitive keys for the
    /// whole fleet, so each group is filled already in shedding order instead of being sorted with a comparer.
    /// </summary>
    private int[] LeastEfficientFirst()
    {
        int n = _miners.Length;
        int[] order = new int[n];
        double[] keys = new double[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            double j = _joulesPerTerahash[i];
            keys[i] = double.IsNaN(j) ? double.PositiveInfinity : -j;
        }

        Array.Sort(keys, order);
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start, Comparer<int>.Create((a, b) => string.CompareOrdinal(_miners[a].MinerId, _miners[b].MinerId)));
            }

            start = end;
        }

        return order;
    }

    private void Classify()
    {
        foreach (int i in LeastEfficientFirst())
        {
            CurtailmentCandidate m = _miners[i];
            _planned[i] = m.PowerW;
            if (!IsMeasured(m))
            {
                _unmeasured++;
                continue;
            }

            bool target = m.CanSetPowerTarget;
            double floor = target ? m.PowerTargetMinW ?? (m.PowerW * _settings.PowerTargetFloor) : m.PowerW;
            _floor[i] = target && floor < m.PowerW ? floor : m.PowerW;
            if (!m.CanSleep && _floor[i] >= m.PowerW)
            {
                _incapable++;
                continue;
            }

            string? dominant = null;
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

                if (!MayCurtail(share.Assignee))
                {
                    // One protected share keeps the whole miner running: sleeping it or lowering it would take that contract's hashrate too.
                    CollectionsMarshal.GetValueRefOrAddDefault(_protectedMiners, share.Assignee, out _)++;
                    blocked = true;
                }
                else if (share.Fraction > dominantFraction || (share.Fraction == dominantFraction && string.CompareOrdinal(share.Assignee, dominant) < 0))
                {
                    dominant = share.Assignee;
                    dominantFraction = share.Fraction;
                }
            }

            if (sold > Epsilon && houseFraction > Epsilon && target)
            {
                // Shared with contracts: the house's part is shed by a power target down to what keeps the contracts'
                // hashrate whole (their quota grows as the miner's hashrate falls), never by sleep.
                double keep = Math.Min(1, _settings.SleepDrawFraction + (sold * (1 - _settings.SleepDrawFraction)) + SharedMargin);
                double houseFloor = Math.Max(_floor[i], m.PowerW * keep);
                if (houseFloor < m.PowerW - Epsilon)
                {
                    _houseFloor[i] = houseFloor;
                    _house.Members.Add(i);
                }
            }

            if (blocked)
            {
                continue;
            }

            if (dominant is null)
            {
                if (!_houseFloor.ContainsKey(i))
                {
                    _house.Members.Add(i);
                }
            }
            else
            {
                if (!_contractGroups.TryGetValue(dominant, out Group? group))
                {
                    _contractGroups[dominant] = group = new Group(dominant);
                }

                group.Members.Add(i);
            }
        }

        // Least efficient first (most joules per terahash sheds the most power per terahash lost): the groups were
        // filled in that order by LeastEfficientFirst.
    }

    /// <summary>Whether the plan may touch a contract's hashrate; when not, why (for the notes).</summary>
    private bool MayCurtail(string contractId)
    {
        if (_mayCurtail.TryGetValue(contractId, out bool known))
        {
            return known;
        }

        bool may = Judge(contractId);
        _mayCurtail[contractId] = may;
        return may;
    }

    private bool Judge(string contractId)
    {
        string? why = null;
        if (_goal.HouseOnly)
        {
            why = "this plan sheds the house only";
        }
        else if (!_contracts.TryGetValue(contractId, out CurtailmentContract? c) || !c.Terms.Curtailable)
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

        _notCurtailableWhy[contractId] = why;
        return false;
    }
}
