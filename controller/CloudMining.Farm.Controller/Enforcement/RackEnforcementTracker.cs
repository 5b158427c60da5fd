using CloudMining.Farm.Shared.Contract;

namespace CloudMining.Farm.Controller.Enforcement;

/// <summary>
/// Per rack: the content last published (so an unchanged rack is not re-published), its generation, the generation the
/// agent reported applied, and whether the agent lags. Thread-safe: reports arrive on the MQTT thread.
/// </summary>
public sealed class RackEnforcementTracker(TimeSpan lagAfter)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> racks = new(StringComparer.Ordinal);

    public TimeSpan LagAfter { get; } = lagAfter;

    /// <summary>True when <paramref name="miners"/> differs from what was last published for the rack.</summary>
    public bool HasChanged(string rack, IReadOnlyList<MinerPoolAssignment> miners)
    {
        lock (gate)
        {
            return !racks.TryGetValue(rack, out Entry? e) || e.Content is null || !e.Content.SequenceEqual(miners, AssignmentComparer.Instance);
        }
    }

    /// <summary>Records a publish of generation <paramref name="generation"/> with this content.</summary>
    public void Published(string rack, long generation, IReadOnlyList<MinerPoolAssignment> miners, DateTimeOffset at)
    {
        lock (gate)
        {
            Entry e = Get(rack);
            e.Content = miners;
            e.DesiredGeneration = generation;
            e.DesiredAt = at;
        }
    }

    /// <summary>Records an agent's report; an older generation than already reported is ignored (re-delivery).</summary>
    public void Reported(string rack, long generation, IReadOnlyList<string> errors, DateTimeOffset at)
    {
        lock (gate)
        {
            Entry e = Get(rack);
            if (e.AppliedGeneration is { } applied && generation < applied)
            {
                return;
            }

            e.AppliedGeneration = generation;
            e.ReportedAt = at;
            e.Errors = errors;
        }
    }

    /// <summary>Re-evaluates lagging at <paramref name="now"/>; returns the racks that just started lagging (to log once).</summary>
    public IReadOnlyList<RackEnforcementState> UpdateLagging(DateTimeOffset now)
    {
        var started = new List<RackEnforcementState>();
        lock (gate)
        {
            foreach ((string rack, Entry e) in racks)
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
        lock (gate)
        {
            return racks.TryGetValue(rack, out Entry? e) ? State(rack, e) : null;
        }
    }

    /// <summary>Every rack's state, ordered by rack id.</summary>
    public IReadOnlyList<RackEnforcementState> All()
    {
        lock (gate)
        {
            return [.. racks.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => State(p.Key, p.Value))];
        }
    }

    private static RackEnforcementState State(string rack, Entry e) =>
        new(rack, e.DesiredGeneration, e.DesiredAt, e.AppliedGeneration, e.ReportedAt, e.Errors, e.Lagging);

    private Entry Get(string rack)
    {
        if (!racks.TryGetValue(rack, out Entry? e))
        {
            e = new Entry();
            racks[rack] = e;
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
