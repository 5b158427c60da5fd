using System.Collections.Concurrent;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// What the engine enforces of curtailment, tick by tick: while a goal is in force (a demand-response event, or the
/// strike gate curtailed) the plan made when the goal began is held — sleeping miners draw nothing, so planning again
/// every tick would wake them —; when the goal changes the plan is made again over the miners' power before curtailment;
/// when it ends, the held miners come back in staggered waves (<see cref="RestoreSchedule"/>), each as a <c>resume</c>
/// entry kept until its agent reports it applied. <see cref="Targets"/> is what goes into each rack's desired state.
/// Not thread-safe but for <see cref="OnReported"/>: the engine calls the rest under its lock.
/// </summary>
public sealed class CurtailmentEnforcer
{
    /// <summary>A resume entry is dropped once applied, or after this long whatever the agent says (it stays in the log and events).</summary>
    public static readonly TimeSpan ResumeKeptFor = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Held> _restoring = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (MinerCurtailTarget Target, DateTimeOffset Until, MinerCurtailment Step)> _resuming = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReportedCurtailment> _reported = new(StringComparer.Ordinal);
    private readonly List<RestoreWave> _waves = [];
    // Contracts whose allowance ran out while the goal was in force: restored, and not curtailed again (not even by a top-up) until the goal ends.
    private readonly HashSet<string> _usedUp = new(StringComparer.Ordinal);
    private string? _goalKey;

    /// <summary>The goal being enforced ("price", "dr:{id}:{kW}"), or null.</summary>
    public string? GoalKey => _goalKey;

    /// <summary>The plan held while the goal is in force (null: none).</summary>
    public CurtailmentPlan? Plan { get; private set; }

    /// <summary>Switches between curtailed and not (each goal begun or ended counts once): what the hysteresis bounds.</summary>
    public int Switches { get; private set; }

    /// <summary>Restore waves not yet released.</summary>
    public IReadOnlyList<RestoreWave> PendingWaves => _waves;

    /// <summary>Miners curtailed now (held by the plan, or waiting for their restore wave), with the step that curtailed them.</summary>
    public IEnumerable<(MinerCurtailment Step, DateTimeOffset Since)> Curtailed =>
        _held.Values.Concat(_restoring.Values).Select(h => (h.Step, h.Since));

    /// <summary>
    /// The miners whose hashrate is down by plan now: curtailed (held, or waiting for their restore wave) and resumed
    /// but not yet reported hashing again, each with the step that curtailed it. Allocation, capacity and proof of
    /// delivery count them as they were before (a planned sleep is no failure).
    /// </summary>
    public IEnumerable<MinerCurtailment> Planned =>
        _held.Values.Concat(_restoring.Values).Select(h => h.Step).Concat(_resuming.Values.Select(r => r.Step));

    /// <summary>The desired curtailment per miner now: sleep or a power target for curtailed miners, resume for released ones.</summary>
    public IReadOnlyDictionary<string, MinerCurtailTarget> Targets()
    {
        var targets = new Dictionary<string, MinerCurtailTarget>(StringComparer.Ordinal);
        foreach (Held h in _held.Values.Concat(_restoring.Values))
        {
            targets[h.Step.MinerId] = h.Target;
        }

        foreach ((string id, (MinerCurtailTarget target, _, _)) in _resuming)
        {
            targets.TryAdd(id, target);
        }

        return targets;
    }

    /// <summary>
    /// One tick: <paramref name="goalKey"/> names the goal in force (null: none); <paramref name="plan"/> is asked only
    /// when a new goal begins, with the power each currently curtailed miner drew before (so it is planned as running).
    /// </summary>
    public void Update(string? goalKey, Func<IReadOnlyDictionary<string, MinerCurtailment>, CurtailmentPlan> plan, double restoreWaveW, TimeSpan restoreInterval, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (goalKey is not null && goalKey != _goalKey)
        {
            var before = _held.Values.Concat(_restoring.Values).ToDictionary(h => h.Step.MinerId, h => h.Step, StringComparer.Ordinal);
            CurtailmentPlan next = plan(before);
            var stillHeld = new Dictionary<string, Held>(StringComparer.Ordinal);
            foreach (MinerCurtailment step in next.Steps)
            {
                DateTimeOffset since = _held.TryGetValue(step.MinerId, out Held? old) || _restoring.TryGetValue(step.MinerId, out old) ? old.Since : now;
                var held = new Held(step, since, TargetOf(step, since));
                if (old is null || old.Target.Action != held.Target.Action || old.Target.PowerTargetW != held.Target.PowerTargetW)
                {
                    // A new action: an earlier report (of another action, or of this one before a restore) says nothing about it.
                    _reported.TryRemove(step.MinerId, out _);
                }

                stillHeld[step.MinerId] = held;
                _resuming.Remove(step.MinerId);
            }

            // A top-up of the same goal ("…:top-up{n}") only adds: what the goal curtails already stays curtailed.
            if (_goalKey is not null && goalKey.StartsWith(BaseOf(_goalKey), StringComparison.Ordinal) && BaseOf(goalKey) == BaseOf(_goalKey))
            {
                foreach (Held h in _held.Values.Concat(_restoring.Values))
                {
                    if (!_usedUp.Contains(h.Step.Owner))
                    {
                        stillHeld.TryAdd(h.Step.MinerId, h);
                    }
                }
            }

            // A contract whose allowance ran out keeps coming back in its own waves, whatever the new plan.
            List<Held> keepRestoring = [.. _restoring.Values.Where(h => _usedUp.Contains(h.Step.Owner) && !stillHeld.ContainsKey(h.Step.MinerId))];

            // Miners the new plan does not curtail come back at once: the goal changed, not ended.
            IEnumerable<MinerCurtailment> released = _held.Values.Concat(_restoring.Values).Where(h => !stillHeld.ContainsKey(h.Step.MinerId) && !keepRestoring.Contains(h)).Select(h => h.Step).ToList();
            if (_goalKey is null)
            {
                Switches++;
            }

            _held.Clear();
            _restoring.Clear();
            _waves.Clear();
            foreach ((string id, Held h) in stillHeld)
            {
                _held[id] = h;
            }

            foreach (Held h in keepRestoring)
            {
                _restoring[h.Step.MinerId] = h;
            }

            _waves.AddRange(RestoreSchedule.Build([.. keepRestoring.Select(h => h.Step)], restoreWaveW, restoreInterval, now));
            foreach (MinerCurtailment step in released)
            {
                Resume(step, now);
            }

            _goalKey = goalKey;
            Plan = next;
        }
        else if (goalKey is null && _goalKey is not null)
        {
            // The goal ended: everything held comes back, in waves against inrush.
            Switches++;
            _goalKey = null;
            Plan = null;
            _usedUp.Clear();
            _waves.Clear();
            // With any miners of a contract whose allowance ran out still waiting for their wave: one schedule for all.
            _waves.AddRange(RestoreSchedule.Build([.. _held.Values.Concat(_restoring.Values).Select(h => h.Step)], restoreWaveW, restoreInterval, now));
            foreach ((string id, Held h) in _held)
            {
                _restoring[id] = h;
            }

            _held.Clear();
        }

        // Release due waves.
        while (_waves.Count > 0 && _waves[0].At <= now)
        {
            foreach (string id in _waves[0].MinerIds)
            {
                if (_restoring.Remove(id, out Held? h))
                {
                    Resume(h.Step, now);
                }
            }

            _waves.RemoveAt(0);
        }

        // Resume entries leave the desired state once applied (or after a while).
        foreach (string id in _resuming.Where(r => r.Value.Until <= now || (_reported.TryGetValue(r.Key, out ReportedCurtailment? rep) && rep.Action == CurtailAction.Resume && rep.State == ReportedMinerState.Applied)).Select(r => r.Key).ToList())
        {
            _resuming.Remove(id);
        }
    }

    /// <summary>
    /// Contracts whose allowance ran out while the goal is in force (<paramref name="allowanceLeft"/> of a contract id is
    /// zero or less): their held miners come back in staggered waves from <paramref name="now"/> (released by
    /// <see cref="Update"/> like any restore), and the goal does not curtail them again, not even by a top-up. Returns
    /// each such contract with the number of its miners put to restore (none when nothing ran out).
    /// </summary>
    public IReadOnlyList<(string ContractId, int Miners)> RestoreUsedUp(Func<string, TimeSpan> allowanceLeft, double restoreWaveW, TimeSpan restoreInterval, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(allowanceLeft);
        if (_goalKey is null)
        {
            return [];
        }

        var usedUp = new List<(string ContractId, int Miners)>();
        foreach (string owner in _held.Values.Select(h => h.Step.Owner).Where(o => o != HousePool.AssigneeId && !_usedUp.Contains(o)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList())
        {
            if (allowanceLeft(owner) > TimeSpan.Zero)
            {
                continue;
            }

            List<Held> miners = [.. _held.Values.Where(h => h.Step.Owner == owner)];
            foreach (Held h in miners)
            {
                _held.Remove(h.Step.MinerId);
                _restoring[h.Step.MinerId] = h;
            }

            _usedUp.Add(owner);
            usedUp.Add((owner, miners.Count));
            IReadOnlyList<RestoreWave> waves = RestoreSchedule.Build([.. miners.Select(h => h.Step)], restoreWaveW, restoreInterval, now);
            // After the waves already due (another contract's): one inrush budget per interval across all of them.
            DateTimeOffset start = _waves.Count > 0 ? Max(now, _waves[^1].At + restoreInterval) : now;
            _waves.AddRange(waves.Select(w => w with { At = start + (w.At - now) }));
        }

        return usedUp;
    }

    /// <summary>Contracts restored because their allowance ran out during the goal in force.</summary>
    public IReadOnlyCollection<string> UsedUp => _usedUp;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Takes an agent's report of its miners' curtailment.</summary>
    public void OnReported(IReadOnlyList<ReportedCurtailment>? reported)
    {
        foreach (ReportedCurtailment r in reported ?? [])
        {
            if (r?.MinerId is { } id)
            {
                _reported[id] = r;
            }
        }
    }

    /// <summary>The agent's latest word on <paramref name="minerId"/>'s curtailment, if any.</summary>
    public ReportedCurtailment? ReportedFor(string minerId) => _reported.GetValueOrDefault(minerId);

    /// <summary>Whether every miner curtailed now is reported applied by its agent for the action it was given.</summary>
    public bool AllApplied() => !NotApplied().Any();

    /// <summary>The miners curtailed now that their agents have not reported applied for the action they were given.</summary>
    public IEnumerable<string> NotApplied() =>
        _held.Values.Concat(_restoring.Values).Where(h => !IsApplied(h)).Select(h => h.Step.MinerId);

    /// <summary>
    /// What sleeping miners are measured to draw, as a fraction of their power before (the mean over the miners held
    /// asleep, reported applied and measured in <paramref name="powerW"/>); null when none is.
    /// </summary>
    public double? MeasuredSleepDraw(IReadOnlyDictionary<string, double> powerW)
    {
        ArgumentNullException.ThrowIfNull(powerW);
        double sum = 0;
        int n = 0;
        foreach (Held h in _held.Values)
        {
            if (h.Target.Action == CurtailAction.Sleep && h.Step.MeasuredPowerW > 0 && IsApplied(h) && powerW.TryGetValue(h.Step.MinerId, out double w))
            {
                sum += Math.Clamp(w / h.Step.MeasuredPowerW, 0, 1);
                n++;
            }
        }

        return n == 0 ? null : sum / n;
    }

    private bool IsApplied(Held h) =>
        _reported.TryGetValue(h.Step.MinerId, out ReportedCurtailment? r) && r.Action == h.Target.Action && r.State == ReportedMinerState.Applied;

    private static string BaseOf(string key)
    {
        int at = key.IndexOf(":top-up", StringComparison.Ordinal);
        return at < 0 ? key : key[..at];
    }

    private void Resume(MinerCurtailment step, DateTimeOffset now)
    {
        _reported.TryRemove(step.MinerId, out _);
        _resuming[step.MinerId] = (new MinerCurtailTarget(step.MinerId, CurtailAction.Resume, step.Action == CurtailmentAction.LowerPower ? Math.Round(step.MeasuredPowerW) : null, now), now + ResumeKeptFor, step);
    }

    private static MinerCurtailTarget TargetOf(MinerCurtailment step, DateTimeOffset since) =>
        step.Action == CurtailmentAction.Sleep
            ? new MinerCurtailTarget(step.MinerId, CurtailAction.Sleep, null, since)
            : new MinerCurtailTarget(step.MinerId, CurtailAction.PowerTarget, Math.Round(step.PowerTargetW ?? step.MeasuredPowerW), since);

    private sealed record Held(MinerCurtailment Step, DateTimeOffset Since, MinerCurtailTarget Target);

    /// <summary>The owner a step's cost is booked to: the house or the contract.</summary>
    public static string OwnerOf(MinerCurtailment step) => step?.Owner ?? HousePool.AssigneeId;
}
