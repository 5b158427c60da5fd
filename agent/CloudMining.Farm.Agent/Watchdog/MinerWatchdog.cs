using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>
/// The watchdog ladder, fed with every poll cycle's miner health: a miner that stops answering, or hashes under
/// <see cref="WatchdogOptions.HashingBelowPercent"/> of nominal, for a whole <see cref="WatchdogOptions.Window"/> climbs
/// one step per window — retry, API restart, relay power-cycle (repeated), quarantine after
/// <see cref="WatchdogOptions.MaxPowerCycles"/> cycles within <see cref="WatchdogOptions.CycleWindow"/>. Rack-wide it
/// takes at most <see cref="WatchdogOptions.MaxActionsPerMinute"/> actions per minute, and holds everything while more
/// than half the rack is dark at once (a switch, not the miners). Each step is a "watchdog" rack event.
/// </summary>
public sealed partial class MinerWatchdog : IDisposable
{
    private readonly WatchdogOptions _options;
    private readonly string _stateDirectory;
    private readonly IMinerPower _power;
    private readonly MinerRestarter _restarter;
    private readonly RackEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Hashrate> _nominal = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Ladder> _ladders = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, QuarantineEntry> _quarantined = new(StringComparer.OrdinalIgnoreCase);
    private readonly Queue<DateTimeOffset> _recentActions = new();
    private readonly SemaphoreSlim _observing = new(1, 1);
    private bool _holding;
    private bool _persistFailing;
    private string? _lastWritten;

    public MinerWatchdog(AgentOptions agent, IMinerPower power, MinerRestarter restarter, RackEventBus events, TimeProvider time, ILogger<MinerWatchdog> logger)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _options = agent.Watchdog;
        _stateDirectory = agent.StateDirectory;
        _power = power ?? throw new ArgumentNullException(nameof(power));
        _restarter = restarter ?? throw new ArgumentNullException(nameof(restarter));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        foreach (MinerOptions m in agent.Miners)
        {
            if (m.NominalHashrate is not null && Hashrate.TryParse(m.NominalHashrate, out Hashrate h))
            {
                _nominal[m.Id] = h;
            }
        }

        // Quarantine survives restarts: whatever the file says is in force before the first cycle.
        foreach (QuarantineEntry q in ReadFile()?.Quarantined ?? [])
        {
            _quarantined[q.MinerId] = q;
        }
    }

    /// <summary>True while the watchdog suspects the network and takes no action.</summary>
    public bool Holding => _holding;

    /// <summary>Where a miner stands on the ladder.</summary>
    public WatchdogStep StepOf(string minerId)
    {
        lock (_ladders)
        {
            return _quarantined.ContainsKey(minerId) ? WatchdogStep.Quarantined
                : _ladders.TryGetValue(minerId, out Ladder? l) ? l.Step
                : WatchdogStep.Healthy;
        }
    }

    /// <summary>Looks at one poll cycle's health of every miner and runs the steps that are due; returns when they are done.</summary>
    public async Task ObserveAsync(IReadOnlyList<MinerPollStatus> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        if (!_options.Enabled)
        {
            return;
        }

        await _observing.WaitAsync(cancellationToken);
        try
        {
            DateTimeOffset now = _time.GetUtcNow();
            SyncQuarantine();
            UpdateHold(miners, now);
            var due = new List<Task>();
            foreach (MinerPollStatus m in miners)
            {
                if (Decide(m, now, cancellationToken) is { } action)
                {
                    due.Add(action);
                }
            }

            await Task.WhenAll(due);
            Persist();
        }
        finally
        {
            _observing.Release();
        }
    }

    public void Dispose() => _observing.Dispose();

    private Task? Decide(MinerPollStatus m, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_quarantined.ContainsKey(m.MinerId))
        {
            return null;
        }

        if (!_ladders.TryGetValue(m.MinerId, out Ladder? l))
        {
            l = new Ladder();
            lock (_ladders)
            {
                _ladders[m.MinerId] = l;
            }
        }

        // Switched off on purpose (thermal protection, load shedding, a technician): dark is expected, not a hang.
        if (SwitchedOff(m.MinerId))
        {
            l.Reset();
            return null;
        }

        (Verdict verdict, string reason) = Judge(m);
        if (verdict == Verdict.Neutral)
        {
            return null;
        }

        if (verdict == Verdict.Well)
        {
            if (l.Step is WatchdogStep.Retrying or WatchdogStep.Restarted or WatchdogStep.PowerCycled or WatchdogStep.NeedsHands)
            {
                _events.Raise(RackEvent.Info("watchdog", "recovered", m.MinerId,
                    $"answers and hashes again ({m.State}) after the ladder reached '{StepName(l.Step)}'; ladder reset."));
            }

            l.Reset();
            return null;
        }

        l.Reason = reason;
        if (l.Step == WatchdogStep.Healthy)
        {
            l.Step = WatchdogStep.Watching;
            l.StepAt = now;
            return null;
        }

        if (_holding || l.Step == WatchdogStep.NeedsHands || now - l.StepAt < _options.Window)
        {
            return null;
        }

        switch (l.Step)
        {
            case WatchdogStep.Watching:
                l.Step = WatchdogStep.Retrying;
                l.StepAt = now;
                _events.Raise(RackEvent.Warning("watchdog", "retry", m.MinerId,
                    $"{reason} for {Minutes(_options.Window)}; giving it one more window before restarting it."));
                return null;

            case WatchdogStep.Retrying:
                return TakeToken(m.MinerId, l, now) ? RestartAsync(m, l, reason, cancellationToken) : null;

            case WatchdogStep.Restarted when !_power.HasRelay(m.MinerId):
                l.Step = WatchdogStep.NeedsHands;
                l.StepAt = now;
                _events.Raise(RackEvent.Critical("watchdog", "needs-hands", m.MinerId,
                    $"{reason}; the API restart did not help and it has no relay in Agent:Hardware:Relays to power-cycle it. A technician must power-cycle it by hand."));
                return null;

            default:
                int cycles = l.CyclesWithin(now, _options.CycleWindow);
                if (l.Step == WatchdogStep.PowerCycled && cycles >= _options.MaxPowerCycles)
                {
                    Quarantine(m.MinerId, l, now, reason, cycles);
                    return null;
                }

                return TakeToken(m.MinerId, l, now) ? PowerCycleAsync(m, l, reason, cycles + 1, cancellationToken) : null;
        }
    }

    private async Task RestartAsync(MinerPollStatus m, Ladder l, string reason, CancellationToken cancellationToken)
    {
        l.Step = WatchdogStep.Restarted;
        _events.Raise(RackEvent.Warning("watchdog", "restart", m.MinerId,
            $"{reason} for {Minutes(_options.Window * 2)}; restarting it through its API."));
        ChannelResult? result = await _restarter.RestartAsync(m, cancellationToken);
        if (result is null)
        {
            _events.Raise(RackEvent.Warning("watchdog", "restart-unavailable", m.MinerId,
                "its firmware profile is unknown (never read since the agent started), so it cannot be restarted through its API; the next step is a power-cycle."));
        }
        else if (result.Outcome == ActionOutcome.NotSupported)
        {
            _events.Raise(RackEvent.Warning("watchdog", "restart-unavailable", m.MinerId,
                $"it cannot be restarted through its API: {result.Error}; the next step is a power-cycle."));
        }
        else if (!result.Succeeded)
        {
            _events.Raise(RackEvent.Warning("watchdog", "restart-failed", m.MinerId,
                $"the restart through {result.Channel} did not go through after {result.RequestsSent} request(s): {result.Error}; the next step is a power-cycle."));
        }

        l.StepAt = _time.GetUtcNow();
    }

    private async Task PowerCycleAsync(MinerPollStatus m, Ladder l, string reason, int cycle, CancellationToken cancellationToken)
    {
        l.Step = WatchdogStep.PowerCycled;
        l.Cycles.Add(_time.GetUtcNow());
        _events.Raise(RackEvent.Warning("watchdog", "power-cycle", m.MinerId,
            $"{reason}; power-cycling it through its relay (cycle {cycle} of at most {_options.MaxPowerCycles} within {Minutes(_options.CycleWindow)})."));
        try
        {
            await _power.PowerCycleAsync(m.MinerId, "watchdog: " + reason, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _events.Raise(RackEvent.Critical("watchdog", "power-cycle-failed", m.MinerId, $"the relay could not cycle it: {e.Message}"));
        }

        l.StepAt = _time.GetUtcNow();
    }

    private void Quarantine(string minerId, Ladder l, DateTimeOffset now, string reason, int cycles)
    {
        var entry = new QuarantineEntry(minerId, now, reason, cycles);
        lock (_ladders)
        {
            _quarantined[minerId] = entry;
            l.Step = WatchdogStep.Quarantined;
            l.StepAt = now;
        }

        _events.Raise(RackEvent.Critical("watchdog", "quarantine", minerId,
            $"{reason} after {cycles} power-cycle(s) within {Minutes(_options.CycleWindow)}; the watchdog leaves it alone until released with `farm-agent watchdog release {minerId}`."));
    }

    // Rack-wide brake: a broken uplink must not turn into every miner being restarted and cycled at once.
    private bool TakeToken(string minerId, Ladder l, DateTimeOffset now)
    {
        while (_recentActions.Count > 0 && now - _recentActions.Peek() >= TimeSpan.FromMinutes(1))
        {
            _recentActions.Dequeue();
        }

        if (_recentActions.Count >= _options.MaxActionsPerMinute)
        {
            if (!l.RateLimitedNoted)
            {
                l.RateLimitedNoted = true;
                _events.Raise(RackEvent.Info("watchdog", "rate-limited", minerId,
                    $"its next step waits: the rack already took {_options.MaxActionsPerMinute} watchdog action(s) in the last minute (Agent:Watchdog:MaxActionsPerMinute)."));
            }

            return false;
        }

        l.RateLimitedNoted = false;
        _recentActions.Enqueue(now);
        return true;
    }

    private void UpdateHold(IReadOnlyList<MinerPollStatus> miners, DateTimeOffset now)
    {
        int known = miners.Count(m => m.State != MinerHealthState.Unknown && !SwitchedOff(m.MinerId));
        int dark = miners.Count(m => IsDark(m.State) && !SwitchedOff(m.MinerId));
        bool hold = dark >= _options.NetworkHoldMinMiners && dark * 2 > known;
        if (hold && !_holding)
        {
            _events.Raise(RackEvent.Warning("watchdog", "network-suspected", null,
                $"{dark} of {known} miners stopped answering at once; suspecting the network (switch, uplink) rather than the miners, so the watchdog holds every restart and power-cycle until they answer again."));
        }
        else if (!hold && _holding)
        {
            _events.Raise(RackEvent.Info("watchdog", "network-hold-ended", null,
                $"{dark} of {known} miners are dark now; the watchdog acts again, each sick miner getting a fresh window first."));
            foreach (Ladder l in _ladders.Values.Where(l => l.Step is not (WatchdogStep.Healthy or WatchdogStep.NeedsHands or WatchdogStep.Quarantined)))
            {
                l.StepAt = now;
            }
        }

        _holding = hold;
    }

    private (Verdict Verdict, string Reason) Judge(MinerPollStatus m)
    {
        switch (m.State)
        {
            case MinerHealthState.Unreachable or MinerHealthState.Timeout or MinerHealthState.CircuitOpen:
                return (Verdict.Sick, $"not answering ({m.State}: {m.Reason})");
            case MinerHealthState.NotHashing:
                return (Verdict.Sick, $"not hashing ({m.Reason})");
            case MinerHealthState.Ok or MinerHealthState.Degraded:
                Hashrate? rate = m.Snapshot?.Hashrate5s ?? m.Snapshot?.HashrateAverage;
                Hashrate? nominalRate = _nominal.TryGetValue(m.MinerId, out Hashrate n) ? n : m.Snapshot?.HashrateNominal;
                if (rate is { } r && nominalRate is { } nom && nom > Hashrate.Zero && r < nom * (_options.HashingBelowPercent / 100))
                {
                    return (Verdict.Sick, string.Create(CultureInfo.InvariantCulture,
                        $"hashing {r}, under {_options.HashingBelowPercent} % of its nominal {nom}"));
                }

                return (Verdict.Well, string.Empty);
            default:
                // Unknown, garbled, refusing our commands or failing: not proof of a hang, not proof of health either.
                return (Verdict.Neutral, string.Empty);
        }
    }

    private void SyncQuarantine()
    {
        if (_persistFailing)
        {
            return;
        }

        WatchdogDocument? doc = ReadFile();
        if (doc is null)
        {
            return;
        }

        var inFile = doc.Quarantined.ToDictionary(q => q.MinerId, StringComparer.OrdinalIgnoreCase);
        foreach (string id in _quarantined.Keys.Where(id => !inFile.ContainsKey(id)).ToArray())
        {
            lock (_ladders)
            {
                _quarantined.Remove(id);
                if (_ladders.TryGetValue(id, out Ladder? l))
                {
                    l.Reset();
                    l.Cycles.Clear();
                }
            }

            _events.Raise(RackEvent.Info("watchdog", "released", id, "released from quarantine; the ladder starts again from the bottom."));
        }

        foreach (QuarantineEntry q in inFile.Values.Where(q => !_quarantined.ContainsKey(q.MinerId)))
        {
            lock (_ladders)
            {
                _quarantined[q.MinerId] = q;
            }
        }
    }

    private WatchdogDocument? ReadFile()
    {
        try
        {
            return WatchdogStateFile.Read(_stateDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogStateUnreadable(_logger, WatchdogStateFile.PathIn(_stateDirectory), e.Message);
            return null;
        }
    }

    private void Persist()
    {
        WatchdogDocument doc;
        lock (_ladders)
        {
            doc = new WatchdogDocument
            {
                Quarantined = _quarantined.Values.OrderBy(q => q.MinerId, StringComparer.Ordinal).ToArray(),
                Miners = _ladders.Where(kv => kv.Value.Step != WatchdogStep.Healthy)
                    .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => new WatchdogMinerState(kv.Key, _quarantined.ContainsKey(kv.Key) ? WatchdogStep.Quarantined : kv.Value.Step, kv.Value.StepAt, kv.Value.Reason))
                    .ToArray(),
            };
        }

        string text = JsonSerializer.Serialize(doc, WatchdogJsonContext.Default.WatchdogDocument);
        if (text == _lastWritten)
        {
            return;
        }

        try
        {
            WatchdogStateFile.Write(_stateDirectory, doc);
            _lastWritten = text;
            _persistFailing = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_persistFailing)
            {
                LogPersistFailed(_logger, WatchdogStateFile.PathIn(_stateDirectory), e.Message);
            }

            _persistFailing = true;
        }
    }

    private bool SwitchedOff(string minerId) => _power.HasRelay(minerId) && !_power.IsPoweredOn(minerId);

    private static bool IsDark(MinerHealthState state) => state is MinerHealthState.Unreachable or MinerHealthState.Timeout or MinerHealthState.CircuitOpen;

    private static string StepName(WatchdogStep step) => step switch
    {
        WatchdogStep.Retrying => "retry",
        WatchdogStep.Restarted => "API restart",
        WatchdogStep.PowerCycled => "power-cycle",
        WatchdogStep.NeedsHands => "needs hands",
        _ => step.ToString(),
    };

    private static string Minutes(TimeSpan t) => t.TotalMinutes >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMinutes:0.#} min")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s");

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot read the watchdog state {WatchdogPath}: {Error}; quarantine as last known stays in force")]
    private static partial void LogStateUnreadable(ILogger logger, string watchdogPath, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write the watchdog state {WatchdogPath}: {Error}; quarantine will not survive a restart until it can")]
    private static partial void LogPersistFailed(ILogger logger, string watchdogPath, string error);

    private enum Verdict
    {
        Well,
        Sick,
        Neutral,
    }

    private sealed class Ladder
    {
        public WatchdogStep Step { get; set; } = WatchdogStep.Healthy;

        public DateTimeOffset StepAt { get; set; }

        public string? Reason { get; set; }

        public bool RateLimitedNoted { get; set; }

        /// <summary>When the watchdog power-cycled this miner; kept across recoveries so a flapping miner still ends in quarantine.</summary>
        public List<DateTimeOffset> Cycles { get; } = [];

        public int CyclesWithin(DateTimeOffset now, TimeSpan window)
        {
            Cycles.RemoveAll(c => now - c > window);
            return Cycles.Count;
        }

        public void Reset()
        {
            Step = WatchdogStep.Healthy;
            Reason = null;
            RateLimitedNoted = false;
        }
    }
}
