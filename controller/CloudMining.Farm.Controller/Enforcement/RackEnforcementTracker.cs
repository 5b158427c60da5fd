using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Enforcement;

/// <summary>
/// Per rack: the content last published (so an unchanged rack is not re-published), its generation, the generation the
/// agent reported applied, the miners whose entries it rejected, and whether the agent lags. A rack whose agent took the
/// generation but rejected one miner's entry is not lagging; that one miner is not enforced (<see cref="RejectionOf"/>).
/// Thread-safe: reports arrive on the MQTT thread.
/// </summary>
public sealed class RackEnforcementTracker(TimeSpan lagAfter)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _racks = new(StringComparer.Ordinal);

    public TimeSpan LagAfter { get; } = lagAfter;

    /// <summary>True when <paramref name="miners"/> differs from what was last published for the rack.</summary>
    public bool HasChanged(string rack, IReadOnlyList<MinerPoolAssignment> miners)
    {
        lock (_gate)
        {
            return !_racks.TryGetValue(rack, out Entry? e) || e.Content is null || !e.Content.SequenceEqual(miners, AssignmentComparer.Instance);
        }
    }

    /// <summary>Records a publish of generation <paramref name="generation"/> with this content.</summary>
    public void Published(string rack, long generation, IReadOnlyList<MinerPoolAssignment> miners, DateTimeOffset at)
    {
        lock (_gate)
        {
            Entry e = Get(rack);
            e.Content = miners;
            e.DesiredGeneration = generation;
            e.DesiredAt = at;
        }
    }

    /// <summary>Records an agent's report; an older generation than already reported is ignored (re-delivery).</summary>
    /// <param name="rack">The rack the report came from.</param>
    /// <param name="generation">The desired generation the agent holds and answers.</param>
    /// <param name="errors">Its <c>errors[]</c>.</param>
    /// <param name="at">When the report arrived.</param>
    /// <param name="minerStatus">Its <c>minerStatus[]</c> (absent from older agents): entries in state <c>rejected</c> are kept per miner.</param>
    public void Reported(string rack, long generation, IReadOnlyList<string> errors, DateTimeOffset at, IReadOnlyList<ReportedMinerStatus>? minerStatus = null)
    {
        lock (_gate)
        {
            Entry e = Get(rack);
            if (e.AppliedGeneration is { } applied && generation < applied)
            {
                return;
            }

            e.AppliedGeneration = generation;
            e.ReportedAt = at;
            e.Errors = errors;
            e.RejectedMiners = [.. (minerStatus ?? []).Where(s => s is not null && s.State == ReportedMinerState.Rejected && !string.IsNullOrEmpty(s.MinerId))];
        }
    }

    /// <summary>The reason the agent of <paramref name="rack"/> rejected <paramref name="minerId"/>'s entry in its last report, or null.</summary>
    public string? RejectionOf(string rack, string minerId)
    {
        lock (_gate)
        {
            return _racks.TryGetValue(rack, out Entry? e) && e.RejectedMiners.FirstOrDefault(s => string.Equals(s.MinerId, minerId, StringComparison.OrdinalIgnoreCase)) is { } s
                ? s.Reason ?? "rejected by the agent"
                : null;
        }
    }

    /// <summary>Re-evaluates lagging at <paramref name="now"/>; returns the racks that just started lagging (to log once).</summary>
    public IReadOnlyList<RackEnforcementState> UpdateLagging(DateTimeOffset now)
    {
        var started = new List<RackEnforcementState>();
        lock (_gate)
        {
            foreach ((string rack, Entry e) in _racks)
            {
                bool lagging = e.DesiredGeneration is { } desired && e.DesiredAt is { } at
                    && (e.AppliedGeneration ?? long.MinValue) < desired && now - at >= LagAfter;
                if (lagging && !e.Lagging)
                {
                    started.Add(State(rack, e) with { Lagging = true });
                }

                e.Lagging = lagging;
            }
        }

        return started;
    }

    /// <summary>The rack's state, or null if nothing was published to or reported by it.</summary>
    public RackEnforcementState? Find(string rack)
    {
        lock (_gate)
        {
            return _racks.TryGetValue(rack, out Entry? e) ? State(rack, e) : null;
        }
    }

    /// <summary>Every rack's state, ordered by rack id.</summary>
    public IReadOnlyList<RackEnforcementState> All()
    {
        lock (_gate)
        {
            return [.. _racks.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => State(p.Key, p.Value))];
        }
    }

    private static RackEnforcementState State(string rack, Entry e) =>
        new(rack, e.DesiredGeneration, e.DesiredAt, e.AppliedGeneration, e.ReportedAt, e.Errors, e.Lagging, e.RejectedMiners);

    private Entry Get(string rack)
    {
        if (!_racks.TryGetValue(rack, out Entry? e))
        {
            e = new Entry();
            _racks[rack] = e;
        }

        return e;
    }

    private sealed class Entry
    {
        public IReadOnlyList<MinerPoolAssignment>? Content { get; set; }

        public long? DesiredGeneration { get; set; }

        public DateTimeOffset? DesiredAt { get; set; }

        public long? AppliedGeneration { get; set; }

        public DateTimeOffset? ReportedAt { get; set; }

        public IReadOnlyList<string> Errors { get; set; } = [];

        public IReadOnlyList<ReportedMinerStatus> RejectedMiners { get; set; } = [];

        public bool Lagging { get; set; }
    }

    // Records compare their lists by reference; the desired content must compare by value.
    private sealed class AssignmentComparer : IEqualityComparer<MinerPoolAssignment>
    {
        public static readonly AssignmentComparer Instance = new();

        public bool Equals(MinerPoolAssignment? x, MinerPoolAssignment? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.MinerId == y.MinerId && x.ContractId == y.ContractId && x.Pools.SequenceEqual(y.Pools));

        public int GetHashCode(MinerPoolAssignment obj) => obj.MinerId.GetHashCode(StringComparison.Ordinal);
    }
}
