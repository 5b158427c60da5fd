using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// Decides when silence means a miner is lost, so that outages of the controller's own view never move miners:
/// <list type="bullet">
/// <item>while the ingest client is disconnected from the broker (<see cref="BrokerOutageGate"/>), no miner is judged stale;</item>
/// <item>after it (re)connects, none for <see cref="EngineOptions.ReconnectCalmS"/> (at least one telemetry window);</item>
/// <item>a rack not heard from at all since the (re)connection is held for <see cref="EngineOptions.AgentOfflineGraceMin"/>
/// from it (its agent may still be backing off after the same broker outage);</item>
/// <item>an agent that went offline (will or graceful stop) keeps its miners as they were for
/// <see cref="EngineOptions.AgentOfflineGraceMin"/>; only then do they count as lost;</item>
/// <item>an agent that came back online is held until its rack's first telemetry (at most the offline grace), then its
/// miners get one telemetry window from that first telemetry before they can be stale.</item>
/// </list>
/// The control loop also does not re-solve until the calm after a (re)connection has passed or every miner of the
/// current allocation has reported since (<see cref="Settled"/>), which covers a controller start too.
/// </summary>
public sealed class StalenessPolicy
{
    private readonly BrokerOutageGate _broker;
    private readonly TimeSpan _stale;
    private readonly TimeSpan _calm;
    private readonly TimeSpan _grace;

    public StalenessPolicy(BrokerOutageGate broker, EngineOptions options)
    {
        _broker = broker ?? throw new ArgumentNullException(nameof(broker));
        ArgumentNullException.ThrowIfNull(options);
        EngineDurations durations = options.Durations();
        _stale = durations.TelemetryStale;
        _calm = durations.ReconnectCalm;
        _grace = durations.AgentOfflineGrace;
    }

    /// <summary>Telemetry older than this marks a miner stale once staleness may be judged.</summary>
    public TimeSpan Stale => _stale;

    /// <summary>How one rack's miners are to be judged at <paramref name="now"/>.</summary>
    public RackJudgement Judge(RackLiveState rack, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rack);
        if (_broker.ConnectedSince is not { } connected)
        {
            return RackJudgement.Hold;
        }

        if (rack.AgentState == AgentState.Offline)
        {
            DateTimeOffset since = rack.AgentStateSince ?? connected;
            return now - since < _grace ? RackJudgement.Hold : RackJudgement.Lost;
        }

        // A rack not heard from at all since the controller (re)connected tells nothing yet: its agent may still be in its
        // own reconnect backoff (up to its ReconnectMaxDelay, 30 s by default) after the same broker blink. It is held
        // like an agent that went offline, for the offline grace from the connection, so a blink of the broker moves no
        // miner however slowly each agent comes back; a rack that stays silent past the grace is judged as usual.
        if (now - connected < _grace && !HeardSince(rack, connected))
        {
            return RackJudgement.Hold;
        }

        // Telemetry is "heard no earlier than" the floor: a miner is stale only if nothing came for a full window after it.
        DateTimeOffset floor = connected + _calm - _stale;
        if (rack.AgentState == AgentState.Online && rack.AgentStateSince is { } online && online > floor)
        {
            // An agent back online (a restart) first probes and polls: until its rack's first telemetry arrives it is held
            // for at most the offline grace, then its miners get a full window from that first telemetry (a loaded agent
            // can take longer than one window between saying online and publishing its first cycle).
            if (rack.ReportingSince is not { } resumed || resumed < online)
            {
                if (now - online < _grace)
                {
                    return RackJudgement.Hold;
                }

                resumed = online;
            }

            floor = resumed;
        }

        return new RackJudgement(false, floor);
    }

    private static bool HeardSince(RackLiveState rack, DateTimeOffset connected) =>
        rack.AgentStateSince >= connected || rack.Miners.Any(m => m.ReceivedAt >= connected);

    /// <summary>
    /// The reading to judge: <paramref name="live"/> itself, or a copy whose <see cref="MinerLiveState.TelemetryAt"/> is
    /// moved up to the judgement's floor (to <paramref name="now"/> while held), so silence during an outage is not staleness.
    /// </summary>
    public static MinerLiveState Effective(MinerLiveState live, RackJudgement judgement, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(judgement);
        if (live.TelemetryAt is not { } at)
        {
            return live;
        }

        DateTimeOffset floor = judgement.HeardNoEarlierThan ?? now;
        return at >= floor ? live : live with { TelemetryAt = floor };
    }

    /// <summary>
    /// True when the control loop may re-solve: connected, and either the calm after connecting has passed or every
    /// miner of the current allocation has been received since the connection, with its rack's capabilities (and the
    /// fleet is not empty).
    /// </summary>
    public bool Settled(IEnumerable<string> allocatedMiners, IReadOnlyList<RackLiveState> racks, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(allocatedMiners);
        ArgumentNullException.ThrowIfNull(racks);
        if (_broker.ConnectedSince is not { } connected)
        {
            return false;
        }

        if (now - connected >= _calm)
        {
            return true;
        }

        var heard = new HashSet<string>(
            racks.SelectMany(r => r.Miners).Where(m => m.ReceivedAt >= connected).Select(m => m.MinerId),
            StringComparer.Ordinal);
        var allocated = new HashSet<string>(allocatedMiners, StringComparer.Ordinal);

        // Telemetry can arrive before a rack's retained agent status: until the capabilities of every rack holding an
        // allocated miner are heard, its miners would look unenforceable and be moved for nothing.
        bool capabilitiesHeard = racks.Where(r => r.Miners.Any(m => allocated.Contains(m.MinerId))).All(r => r.Capabilities is not null);
        return heard.Count > 0 && allocated.All(heard.Contains) && capabilitiesHeard;
    }
}
