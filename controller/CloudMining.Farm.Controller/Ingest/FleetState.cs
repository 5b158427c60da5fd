using System.Collections.Concurrent;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>
/// In-memory fleet picture folded from agent messages: latest per miner and per rack's agent, with when the controller
/// received them (its own clock: an agent's last will carries the time it connected, not when it went away). Thread-safe.
/// </summary>
public sealed class FleetState
{
    private readonly ConcurrentDictionary<(string Site, string Rack, string Miner), MinerLiveState> _miners = new();
    private readonly ConcurrentDictionary<(string Site, string Rack), AgentPresence> _agents = new();
    private readonly TimeProvider _time;

    public FleetState(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// How far ahead of the controller's clock a telemetry ts may be and still date its reading. Nothing can arrive
    /// before it was sent, so a ts further ahead comes from a rack whose clock is wrong (or lies): such a reading is dated
    /// when it was received instead. Taken as it is, it would keep the miner fresh (sellable) after its rack fell silent,
    /// and every correctly dated reading after the rack's clock was set right would be dropped as older, freezing the
    /// miner at that reading until the wrong time came round.
    /// </summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(5);

    /// <summary>The time a reading stamped <paramref name="ts"/> and received at <paramref name="now"/> counts as taken (<see cref="ClockTolerance"/>).</summary>
    public static DateTimeOffset Dated(DateTimeOffset ts, DateTimeOffset now) => Ahead(ts, now) ? now : ts;

    /// <summary>True when a ts is more than <see cref="ClockTolerance"/> ahead of <paramref name="now"/>: its sender's clock is wrong.</summary>
    public static bool Ahead(DateTimeOffset ts, DateTimeOffset now) => ts - now > ClockTolerance;

    /// <summary>Applies one contract message; returns false for kinds the fleet state does not track.</summary>
    public bool Apply(FarmMessage message)
    {
        DateTimeOffset now = _time.GetUtcNow();
        switch (message)
        {
            case MinerTelemetryPayload t:
                // Static lambdas with the state as an argument: no closure or delegate allocated per message.
                _miners.AddOrUpdate(
                    (t.Site, t.Rack, t.MinerId),
                    static (_, arg) => FromTelemetry(arg.T, null, arg.Now),
                    static (_, old, arg) => old.TelemetryAt > Dated(arg.T.Timestamp, arg.Now) ? old : FromTelemetry(arg.T, old, arg.Now),
                    (T: t, Now: now));
                MarkReporting((t.Site, t.Rack), now);
                return true;
            case MinerStatePayload s:
                _miners.AddOrUpdate(
                    (s.Site, s.Rack, s.MinerId),
                    _ => new MinerLiveState { Site = s.Site, Rack = s.Rack, MinerId = s.MinerId, State = s.State, Serial = MinerSerial.Normalize(s.Serial) },
                    (_, old) => old with { State = s.State, Serial = MinerSerial.Normalize(s.Serial) ?? old.Serial });
                return true;
            case AgentStatusPayload a:
                _agents.AddOrUpdate(
                    (a.Site, a.Rack),
                    _ => new AgentPresence(a, now, Merge(null, a.Capabilities), a.AgentVersion),
                    (_, old) => old.Status.State == a.State
                        ? new AgentPresence(a, old.Since, Merge(old.Capabilities, a.Capabilities), a.AgentVersion ?? old.AgentVersion) { ReportingSince = old.ReportingSince }
                        : new AgentPresence(a, now, Merge(old.Capabilities, a.Capabilities), a.AgentVersion ?? old.AgentVersion));
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Applies one entry of a rack's telemetry batch exactly as the per-miner telemetry it stands for (site, rack and
    /// ts from the batch, whose envelope the subscriber checked against its topic), without building that payload: the
    /// entry's pools become the miner's pools as they are. Call only with an entry the batch accepted
    /// (<see cref="TelemetryBatchPayload.EntryProblem"/>).
    /// </summary>
    public void Apply(TelemetryBatchPayload batch, TelemetryBatchEntry entry)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(entry);
        DateTimeOffset now = _time.GetUtcNow();
        _miners.AddOrUpdate(
            (batch.Site, batch.Rack, entry.MinerId),
            static (_, arg) => FromBatch(arg.B, arg.E, null, arg.Now),
            static (_, old, arg) => old.TelemetryAt > Dated(arg.B.Timestamp, arg.Now) ? old : FromBatch(arg.B, arg.E, old, arg.Now),
            (B: batch, E: entry, Now: now));
        MarkReporting((batch.Site, batch.Rack), now);
    }

    /// <summary>The latest state of one miner, or null if nothing was heard from it.</summary>
    public MinerLiveState? Miner(string site, string rack, string minerId) =>
        _miners.TryGetValue((site, rack, minerId), out MinerLiveState? m) ? m : null;

    /// <summary>Every rack heard of (through its agent or its miners), with totals.</summary>
    public IReadOnlyList<RackLiveState> Racks()
    {
        // One pass over the miners (the dictionary's enumerator takes no lock and copies nothing), grouped by rack:
        // linear in the fleet, where a scan of every miner per rack was quadratic (2,500 racks x 100,000 miners).
        var byRack = new Dictionary<(string Site, string Rack), List<MinerLiveState>>();
        foreach (KeyValuePair<(string Site, string Rack, string Miner), MinerLiveState> entry in _miners)
        {
            (string Site, string Rack) key = (entry.Key.Site, entry.Key.Rack);
            if (!byRack.TryGetValue(key, out List<MinerLiveState>? list))
            {
                list = [];
                byRack.Add(key, list);
            }

            list.Add(entry.Value);
        }

        foreach ((string Site, string Rack) key in _agents.Keys)
        {
            byRack.TryAdd(key, []);
        }

        var racks = new List<RackLiveState>(byRack.Count);
        foreach (KeyValuePair<(string Site, string Rack), List<MinerLiveState>> rack in byRack.OrderBy(r => r.Key))
        {
            _agents.TryGetValue(rack.Key, out AgentPresence? agent);
            MinerLiveState[] rackMiners = [.. rack.Value];
            Array.Sort(rackMiners, static (a, b) => string.CompareOrdinal(a.MinerId, b.MinerId));
            racks.Add(new RackLiveState(rack.Key.Site, rack.Key.Rack, agent?.Status.State, agent?.Status.MinersConfigured, rackMiners)
            {
                AgentStateSince = agent?.Since,
                ReportingSince = agent?.ReportingSince,
                Capabilities = agent?.Capabilities,
                AgentVersion = agent?.AgentVersion,
            });
        }

        return racks;
    }

    private static MinerLiveState FromTelemetry(MinerTelemetryPayload t, MinerLiveState? old, DateTimeOffset now) => new()
    {
        Site = t.Site,
        Rack = t.Rack,
        MinerId = t.MinerId,
        Profile = t.Profile,
        Model = t.Model,
        Hashrate5sHs = t.Hashrate5sHs,
        HashrateAverageHs = t.HashrateAverageHs,
        HashrateNominalHs = t.HashrateNominalHs,
        MaxChipTempC = t.MaxChipTempC,
        PowerW = t.PowerW,
        State = old?.State,
        Serial = old?.Serial,
        TelemetryAt = Dated(t.Timestamp, now),
        ReceivedAt = now,
        ClockOffset = t.Timestamp - now,
        Pools = t.Pools,
    };

    // The same fields as FromTelemetry, from a batch entry: a batched and a per-miner reading give equal states.
    private static MinerLiveState FromBatch(TelemetryBatchPayload b, TelemetryBatchEntry e, MinerLiveState? old, DateTimeOffset now) => new()
    {
        Site = b.Site,
        Rack = b.Rack,
        MinerId = e.MinerId,
        Profile = e.Profile,
        Model = e.Model,
        Hashrate5sHs = e.Hashrate5sHs,
        HashrateAverageHs = e.HashrateAverageHs,
        HashrateNominalHs = e.HashrateNominalHs,
        MaxChipTempC = e.MaxChipTempC,
        PowerW = e.PowerW,
        State = old?.State,
        Serial = old?.Serial,
        TelemetryAt = Dated(b.Timestamp, now),
        ReceivedAt = now,
        ClockOffset = b.Timestamp - now,
        Pools = e.Pools,
    };

    /// <summary>
    /// Capabilities are kept per miner: a status without them (the will, an agent that restarted and has not probed
    /// yet) or listing only some miners leaves the others as they were, so an agent restart does not unsell its rack.
    /// </summary>
    private static IReadOnlyDictionary<string, MinerCapabilities>? Merge(IReadOnlyDictionary<string, MinerCapabilities>? old, IReadOnlyList<MinerCapabilities>? reported)
    {
        if (reported is null)
        {
            return old;
        }

        var merged = old is null ? new Dictionary<string, MinerCapabilities>(StringComparer.Ordinal) : new Dictionary<string, MinerCapabilities>(old, StringComparer.Ordinal);
        foreach (MinerCapabilities c in reported)
        {
            merged[c.MinerId] = c;
        }

        return merged;
    }

    // The first telemetry of a rack since its agent entered its current state: when an agent back online resumed reporting.
    private void MarkReporting((string Site, string Rack) rack, DateTimeOffset now)
    {
        while (_agents.TryGetValue(rack, out AgentPresence? presence) && presence.ReportingSince is null)
        {
            if (_agents.TryUpdate(rack, presence with { ReportingSince = now }, presence))
            {
                return;
            }
        }
    }

    /// <summary>
    /// An agent's latest status, since when (controller clock) it has been in that state, the capabilities it reported,
    /// and when its rack's first telemetry in that state arrived (null until then).
    /// </summary>
    private sealed record AgentPresence(AgentStatusPayload Status, DateTimeOffset Since, IReadOnlyDictionary<string, MinerCapabilities>? Capabilities, string? AgentVersion)
    {
        public DateTimeOffset? ReportingSince { get; init; }
    }
}
