using System.Collections.Concurrent;
using System.Globalization;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Logging;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using WattPower = CloudMining.Farm.Shared.Units.Power;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Curtailment;

/// <summary>
/// Carries out the controller's curtailment (<c>farm.v1.desired</c> <c>curtailment[]</c>) through the firmware write
/// channels — sleep (the profile's <c>pause</c>), a power target (<c>setPowerTarget</c>), resume (<c>resume</c>, and the
/// power target from before when given) — never through relays. Each miner is verified by reading it: asleep means no
/// hashrate, resumed means hashing, a power target means the measured power at most <see cref="PowerTolerance"/> over the
/// target (where the firmware reports power; otherwise the channel's own read-back stands). A reading taken before the
/// command does not count; a miner that does not show the change within <see cref="VerifyWithin"/> fails and is tried
/// again after a backoff. Built by the container (<see cref="Pools.PoolReconciliation"/>) and called by the pool reconciler
/// after each pass; not thread-safe across passes (one pass at a time).
/// </summary>
public sealed partial class CurtailmentApplier
{
    /// <summary>A lowered miner may draw this much over its power target and still count as applied (firmware tuners settle around it).</summary>
    public const double PowerTolerance = 1.10;

    public static readonly TimeSpan VerifyWithin = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(10);

    private const int MaxParallelMiners = 8;

    private const int MaxReasonChars = 300;

    private readonly Func<string, FirmwareProfile?> _profileOf;
    private readonly IMinerReader _reader;
    private readonly MinerChannels _channels;
    private readonly RackEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, MinerCurtailState> _miners = new(StringComparer.OrdinalIgnoreCase);

    public CurtailmentApplier(Func<string, FirmwareProfile?> profileOf, IMinerReader reader, MinerChannels channels, RackEventBus events, TimeProvider time, ILogger<CurtailmentApplier> logger)
    {
        _profileOf = profileOf ?? throw new ArgumentNullException(nameof(profileOf));
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _channels = channels ?? throw new ArgumentNullException(nameof(channels));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>One pass over the desired curtailment with the latest poll cycle's readings.</summary>
    public async Task ApplyAsync(IReadOnlyList<MinerCurtailTarget>? desired, IReadOnlyDictionary<string, MinerPollStatus> health, DateTimeOffset cycleStartedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(health);
        var wanted = (desired ?? []).Where(t => t is not null && !string.IsNullOrWhiteSpace(t.MinerId) && t.Action != CurtailAction.Unknown)
            .GroupBy(t => t.MinerId, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();
        // A set: scanning the list for every kept miner cost miners × targets comparisons a pass (a rack of 200 asleep: 40,000).
        var wantedIds = new HashSet<string>(wanted.Select(t => t.MinerId), StringComparer.OrdinalIgnoreCase);
        foreach (string gone in _miners.Keys.Where(k => !wantedIds.Contains(k)).ToList())
        {
            _miners.TryRemove(gone, out _);
        }

        await Parallel.ForEachAsync(
            wanted,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelMiners, CancellationToken = cancellationToken },
            async (t, ct) =>
            {
                MinerCurtailState state = _miners.AddOrUpdate(t.MinerId, _ => new MinerCurtailState(t), (_, old) => old.Target == t ? old : new MinerCurtailState(t));
                try
                {
                    await ApplyMinerAsync(state, health.GetValueOrDefault(t.MinerId), cycleStartedAt, ct);
                }
                catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
                {
                    // A channel's own timeout surfacing as a cancellation, not the agent stopping: this miner did not answer in time.
                    Fail(state, $"no answer in time ({e.GetType().Name}: {e.Message})", waiting: true);
                }
#pragma warning disable CA1031 // one miner's unexpected fault must not stop the agent
                catch (Exception e) when (e is not OperationCanceledException) // a cancellation we did not ask for is caught above
#pragma warning restore CA1031
                {
                    LogUnexpected(_logger, e, t.MinerId);
                    Fail(state, $"unexpected {e.GetType().Name}: {e.Message}", waiting: false);
                }
            });
    }

    /// <summary>Per miner of the desired curtailment, where it stands (for <c>farm.v1.reported</c>), ordered by miner id.</summary>
    public IReadOnlyList<ReportedCurtailment>? Report()
    {
        if (_miners.IsEmpty)
        {
            return null;
        }

        return [.. _miners.Values.OrderBy(s => s.Target.MinerId, StringComparer.Ordinal).Select(s => new ReportedCurtailment(
            s.Target.MinerId,
            s.Target.Action,
            s.Status,
            s.Target.PowerTargetW,
            s.MeasuredPowerW,
            s.MeasuredHashrateHs,
            s.Reason is null ? null : BoundedText.Echo(s.Reason, MaxReasonChars),
            s.NextRetryAt))];
    }

    /// <summary>Whether <paramref name="snapshot"/> shows <paramref name="target"/> carried out; null when it does, else what differs.</summary>
    public static string? Difference(MinerCurtailTarget target, MinerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(snapshot);
        double hs = Hashing(snapshot);
        return target.Action switch
        {
            CurtailAction.Sleep => hs > 0 ? string.Create(CultureInfo.InvariantCulture, $"still hashing at {hs / 1e12:0.##} TH/s") : null,
            CurtailAction.Resume => hs > 0 ? null : "not hashing",
            CurtailAction.PowerTarget when target.PowerTargetW is { } w => snapshot.Power is { } p && p.Watts > w * PowerTolerance
                ? string.Create(CultureInfo.InvariantCulture, $"draws {p.Watts:0} W over its power target {w:0} W")
                : hs > 0 ? null : "not hashing at its power target",
            _ => null,
        };
    }

    private static double Hashing(MinerSnapshot s) => (s.Hashrate5s ?? s.HashrateAverage)?.HashesPerSecond ?? 0;

    private static bool Answers(MinerHealthState state) => state is MinerHealthState.Ok or MinerHealthState.Degraded or MinerHealthState.NotHashing;

    private async Task ApplyMinerAsync(MinerCurtailState state, MinerPollStatus? health, DateTimeOffset cycleStartedAt, CancellationToken cancellationToken)
    {
        MinerCurtailTarget target = state.Target;
        if (health?.Snapshot is not { } snapshot || !Answers(health.State) || health.LastSuccessAt < cycleStartedAt)
        {
            if (state.Status != ReportedMinerState.Applied)
            {
                state.Status = ReportedMinerState.Waiting;
                state.Reason = $"not answering ({health?.Reason ?? "not polled yet"}); curtailment is applied once it answers";
            }

            return;
        }

        state.MeasuredPowerW = snapshot.Power?.Watts;
        state.MeasuredHashrateHs = Hashing(snapshot);
        if (state.LastWriteAt is { } wrote && cycleStartedAt <= wrote)
        {
            return; // this reading began before our commands: wait for one that shows their effect
        }

        string? difference = Difference(target, snapshot);
        bool needsPower = target.Action == CurtailAction.Resume && target.PowerTargetW is not null && !state.PowerRestored;
        if (difference is null && !needsPower)
        {
            if (state.Status != ReportedMinerState.Applied)
            {
                state.Status = ReportedMinerState.Applied;
                state.Reason = null;
                state.Backoff = null;
                state.NextRetryAt = null;
                if (state.Commands > 0)
                {
                    _events.Raise(RackEvent.Info("curtailment", "curtailment-applied", target.MinerId, $"{Describe(target)}: verified by reading the miner ({Measured(state)})"));
                }
            }

            return;
        }

        if (state.LastWriteAt is { } sent && difference is not null && _time.GetUtcNow() - sent < VerifyWithin && state.Status == ReportedMinerState.Pending)
        {
            return; // sent; the firmware takes a few readings to show it
        }

        if (state.LastWriteAt is not null && difference is not null && state.Status == ReportedMinerState.Pending)
        {
            Fail(state, $"{Describe(target)} was sent but after {VerifyWithin.TotalSeconds:0} s the miner {difference}", waiting: false);
            return;
        }

        if (state.NextRetryAt is { } next && _time.GetUtcNow() < next)
        {
            return;
        }

        FirmwareProfile? profile = _profileOf(target.MinerId);
        if (profile is null)
        {
            Fail(state, $"its firmware profile '{snapshot.Identity.Profile}' is not known to this agent", waiting: false);
            return;
        }

        ChannelTarget channelTarget = _channels.Target(target.MinerId, health.Endpoint, profile);
        ChannelResult? result = null;
        if (target.Action == CurtailAction.Sleep)
        {
            result = await _channels.Writer.RunAsync(channelTarget, MinerOperation.Pause, cancellationToken);
        }
        else if (target.Action == CurtailAction.PowerTarget)
        {
            if (target.PowerTargetW is not { } w || !(w > 0))
            {
                Fail(state, "a power target needs powerTargetW (watts, more than 0)", waiting: false);
                return;
            }

            result = await _channels.Writer.SetPowerTargetAsync(channelTarget, WattPower.FromWatts(w), cancellationToken);
        }
        else
        {
            if (needsPower && target.PowerTargetW is { } back)
            {
                if (profile.Route(MinerOperation.SetPowerTarget) is null)
                {
                    state.PowerRestored = true; // nothing was lowered on a firmware without power targets
                }
                else
                {
                    result = await _channels.Writer.SetPowerTargetAsync(channelTarget, WattPower.FromWatts(back), cancellationToken);
                    Count(state, result);
                    if (!result.Succeeded)
                    {
                        Fail(state, $"power target back to {back:0} W: {result.Error?.ToString() ?? "failed"}", IsWaiting(result));
                        return;
                    }

                    state.PowerRestored = true;
                    result = null;
                }
            }

            if (Difference(target, snapshot) is not null)
            {
                result = await _channels.Writer.RunAsync(channelTarget, MinerOperation.Resume, cancellationToken);
            }
        }

        if (result is not null)
        {
            Count(state, result);
            if (!result.Succeeded)
            {
                // NotSupported: the firmware (or its profile) has no such operation; the controller should not have asked.
                Fail(state, $"{Describe(target)}: {result.Error?.ToString() ?? "failed"}", IsWaiting(result));
                return;
            }
        }

        string sentWhat = Describe(target);
        LogSent(_logger, target.MinerId, sentWhat);

        // Read back now rather than at the next poll: applied means seen on the miner, not merely sent.
        MinerReadResult check = await _reader.ReadAsync(health.Endpoint, profile.Name, cancellationToken);
        if (check.IsSuccess && Difference(target, check.Snapshot!) is null)
        {
            state.MeasuredPowerW = check.Snapshot!.Power?.Watts;
            state.MeasuredHashrateHs = Hashing(check.Snapshot);
            state.Status = ReportedMinerState.Applied;
            state.Reason = null;
            state.Backoff = null;
            state.NextRetryAt = null;
            _events.Raise(RackEvent.Info("curtailment", "curtailment-applied", target.MinerId, $"{Describe(target)}: verified by read-back ({Measured(state)})"));
            return;
        }

        state.Status = ReportedMinerState.Pending;
        state.Reason = $"{Describe(target)} sent; waiting for a reading that shows it";
    }

    private void Count(MinerCurtailState state, ChannelResult result)
    {
        state.Commands += result.RequestsSent;
        if (result.RequestsSent > 0)
        {
            state.LastWriteAt = _time.GetUtcNow();
        }
    }

    private static bool IsWaiting(ChannelResult result) => result.Error?.Kind is ChannelErrorKind.Unreachable or ChannelErrorKind.Timeout;

    private void Fail(MinerCurtailState state, string reason, bool waiting)
    {
        reason = BoundedText.Echo(SecretRedactor.Redact(reason), MaxReasonChars);
        state.Reason = reason;
        state.LastWriteAt = null;
        if (waiting)
        {
            state.Status = ReportedMinerState.Waiting;
            state.NextRetryAt = null;
            return;
        }

        state.Status = ReportedMinerState.Failed;
        state.Backoff = state.Backoff is { } b ? TimeSpan.FromTicks(Math.Min(b.Ticks * 2, MaxRetryDelay.Ticks)) : FirstRetryDelay;
        state.NextRetryAt = _time.GetUtcNow() + state.Backoff.Value;
        _events.Raise(RackEvent.Warning("curtailment", "curtailment-failed", state.Target.MinerId, $"{reason}; next try in {state.Backoff.Value.TotalSeconds:0} s"));
    }

    private static string Describe(MinerCurtailTarget t) => t.Action switch
    {
        CurtailAction.Sleep => "sleep",
        CurtailAction.PowerTarget => string.Create(CultureInfo.InvariantCulture, $"power target {t.PowerTargetW:0} W"),
        _ => t.PowerTargetW is { } w ? string.Create(CultureInfo.InvariantCulture, $"resume at {w:0} W") : "resume",
    };

    private static string Measured(MinerCurtailState s) =>
        string.Create(CultureInfo.InvariantCulture, $"{(s.MeasuredHashrateHs ?? 0) / 1e12:0.##} TH/s, {(s.MeasuredPowerW is { } w ? $"{w:0} W" : "power not reported")}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Curtailment: {Action} sent to miner {MinerId}")]
    private static partial void LogSent(ILogger logger, string minerId, string action);

    [LoggerMessage(Level = LogLevel.Error, Message = "Curtailing miner {MinerId} failed unexpectedly; it is retried after the backoff")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string minerId);

    private sealed class MinerCurtailState(MinerCurtailTarget target)
    {
        public MinerCurtailTarget Target { get; } = target;

        public ReportedMinerState Status { get; set; } = ReportedMinerState.Pending;

        public string? Reason { get; set; }

        public DateTimeOffset? LastWriteAt { get; set; }

        public DateTimeOffset? NextRetryAt { get; set; }

        public TimeSpan? Backoff { get; set; }

        public bool PowerRestored { get; set; }

        public int Commands { get; set; }

        public double? MeasuredPowerW { get; set; }

        public double? MeasuredHashrateHs { get; set; }
    }
}
