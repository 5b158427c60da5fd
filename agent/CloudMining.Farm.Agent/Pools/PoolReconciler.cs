using System.Collections.Concurrent;
using System.Threading.Channels;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Curtailment;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Logging;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// Keeps every miner named in the desired pool state on its desired pools. After each poll cycle (and whenever a new
/// desired state arrives) it compares each miner's freshly polled pools with the desired ones; where they differ it
/// writes them through the channel the firmware profile routes setPools to (the fewest cgminer commands planned by
/// <see cref="PoolPlanner"/>, or the whole list at once through the web CGI), reads the pools back and only then counts the miner as
/// applied at that generation. A miner already right gets no command. A refusal (no write access, a read-only
/// firmware, an error reply, a read-back that does not match) is reported and retried after a backoff that doubles
/// from <see cref="FirstRetryDelay"/> to <see cref="MaxRetryDelay"/>; an unreachable miner waits until it answers.
/// After each change the rack's reported state is published (retained) through the <see cref="ReportedStatePublisher"/>.
/// </summary>
public sealed partial class PoolReconciler : BackgroundService
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(30);

    /// <summary>Miners changed at the same time; each change is a handful of short API conversations.</summary>
    private const int MaxParallelMiners = 8;

    private readonly DesiredPoolStateStore _store;
    private readonly PollingService? _polling;
    private readonly IMinerReader _reader;
    private readonly MinerChannels _channels;
    private readonly PoolCredentials _credentials;
    private readonly RackEventBus _events;
    private readonly ReportedStatePublisher? _reported;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PoolReconciler> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly ConcurrentDictionary<string, MinerPoolState> _miners = new(StringComparer.OrdinalIgnoreCase);
    private PollCycleCompletedEventArgs? _latestCycle;
    private long? _workingGeneration;
    private string? _lastReportKey;
    private long _passes;
    private long _lastReconciledCycle;
    private ReportedPoolStatePayload? _lastReport;
    private readonly CurtailmentApplier _curtailment;

    public PoolReconciler(
        DesiredPoolStateStore store,
        PollingService? polling,
        IMinerReader reader,
        MinerChannels channels,
        PoolCredentials credentials,
        RackEventBus events,
        ReportedStatePublisher? reported,
        CurtailmentApplier curtailment,
        IOptions<AgentOptions> options,
        TimeProvider time,
        ILogger<PoolReconciler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _polling = polling;
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _channels = channels ?? throw new ArgumentNullException(nameof(channels));
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _reported = reported;
        _options = options.Value;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _curtailment = curtailment ?? throw new ArgumentNullException(nameof(curtailment));
    }

    /// <summary>Raised after each reconciliation pass whose reported state differs from the previous one.</summary>
    public event EventHandler<ReportedPoolStatePayload>? Reported;

    /// <summary>Finished reconciliation passes (tests wait on it instead of sleeping).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>The number of the poll cycle the last finished pass worked from (0 before the first cycle).</summary>
    public long LastReconciledCycle => Interlocked.Read(ref _lastReconciledCycle);

    /// <summary>The latest reported state built (envelope fields are stamped by the MQTT link).</summary>
    public ReportedPoolStatePayload? LastReport => Volatile.Read(ref _lastReport);

    /// <summary>Feeds a finished poll cycle (the polling service does this through its event).</summary>
    public void OnCycleCompleted(object? sender, PollCycleCompletedEventArgs cycle)
    {
        Volatile.Write(ref _latestCycle, cycle);
        _wake.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_polling is not null)
        {
            _polling.CycleCompleted += OnCycleCompleted;
        }

        _store.Changed += OnDesiredChanged;
        try
        {
            if (_store.Current is { } loaded)
            {
                LogEnforcingLoaded(_logger, loaded.Generation, loaded.Miners.Count);
            }

            _wake.Writer.TryWrite(true);
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                try
                {
                    await ReconcileOnceAsync(stoppingToken);
                }
#pragma warning disable CA1031 // a failed pass must not end enforcement (or, through StopHost, the agent): the next poll cycle tries again
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    LogPassFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            if (_polling is not null)
            {
                _polling.CycleCompleted -= OnCycleCompleted;
            }

            _store.Changed -= OnDesiredChanged;
        }
    }

    /// <summary>One pass over the desired miners with the latest poll cycle, then the reported state if it changed.</summary>
    public async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        DesiredPoolStatePayload? desired = _store.Current;
        PollCycleCompletedEventArgs? cycle = Volatile.Read(ref _latestCycle);
        if (desired is not null && cycle is not null)
        {
            if (_workingGeneration != desired.Generation)
            {
                // A new desire is tried at once, whatever the backoff of the old one was; every miner is pending again
                // until this generation has been tried on it.
                _workingGeneration = desired.Generation;
                foreach (MinerPoolState state in _miners.Values)
                {
                    state.Status = ReportedMinerState.Pending;
                    state.Reason = null;
                    state.Backoff = null;
                    state.NextRetryAt = null;
                }
            }

            var health = cycle.Miners.ToDictionary(m => m.MinerId, StringComparer.OrdinalIgnoreCase);
            await Parallel.ForEachAsync(
                desired.Miners,
                new ParallelOptions { MaxDegreeOfParallelism = MaxParallelMiners, CancellationToken = cancellationToken },
                (assignment, ct) => new ValueTask(GuardedAsync(assignment, desired.Generation, health.GetValueOrDefault(assignment.MinerId), cycle.Cycle.StartedAt, ct)));

            // Curtailment (sleep, power target, resume) rides on the same desired state and readings; see CurtailmentApplier.
            await _curtailment.ApplyAsync(desired.Curtailment, health, cycle.Cycle.StartedAt, cancellationToken);
        }

        PublishReport(desired);
        Interlocked.Exchange(ref _lastReconciledCycle, cycle?.Cycle.Cycle ?? 0);
        Interlocked.Increment(ref _passes);
    }

    private void OnDesiredChanged(object? sender, EventArgs e) => _wake.Writer.TryWrite(true);

    private async Task GuardedAsync(MinerPoolAssignment assignment, long generation, MinerPollStatus? health, DateTimeOffset cycleStartedAt, CancellationToken cancellationToken)
    {
        try
        {
            await ReconcileMinerAsync(assignment, generation, health, cycleStartedAt, cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the agent stopping: a channel's own timeout surfacing as a cancellation (the Braiins OS+ gRPC client
            // did, under load). It is this miner not answering in time; thrown on, it ended the pass, the reconciler
            // and with it the whole agent, whose rack then never reported a generation again.
            MinerPoolState state = _miners.GetOrAdd(assignment.MinerId, _ => new MinerPoolState());
            Fail(state, assignment.MinerId, generation, $"no answer in time ({e.GetType().Name}: {e.Message})", MinerApiErrorKind.Timeout);
        }
#pragma warning disable CA1031 // one miner's unexpected fault (a profile bug, say) must not stop the agent's host
        catch (Exception e) when (e is not OperationCanceledException) // a cancellation we did not ask for is caught above
#pragma warning restore CA1031
        {
            LogUnexpected(_logger, e, assignment.MinerId);
            MinerPoolState state = _miners.GetOrAdd(assignment.MinerId, _ => new MinerPoolState());
            Fail(state, assignment.MinerId, generation, $"unexpected {e.GetType().Name}: {e.Message}", MinerApiErrorKind.UnsupportedReply);
        }
    }

    private static bool Answers(MinerHealthState state) => state is MinerHealthState.Ok or MinerHealthState.Degraded or MinerHealthState.NotHashing;

    private async Task ReconcileMinerAsync(MinerPoolAssignment assignment, long generation, MinerPollStatus? health, DateTimeOffset cycleStartedAt, CancellationToken cancellationToken)
    {
        MinerPoolState state = _miners.GetOrAdd(assignment.MinerId, _ => new MinerPoolState());
        if (health?.Snapshot is not { } snapshot || !Answers(health.State) || health.LastSuccessAt < cycleStartedAt)
        {
            // A miner verified at this generation stays applied through an outage: its pool settings survive it.
            if (state.AppliedGeneration != generation)
            {
                state.Status = ReportedMinerState.Waiting;
                state.Reason = BoundedText.Echo(Scrub($"not answering ({health?.Reason ?? "not polled yet"}); the pools are changed once it answers"), ReportedStateBudget.MaxReasonChars);
            }
            else if (state.Status == ReportedMinerState.Pending)
            {
                state.Status = ReportedMinerState.Applied;
            }

            return;
        }

        if (state.LastWriteAt is { } wrote && cycleStartedAt <= wrote)
        {
            return; // this reading began before our last commands: wait for one that shows their effect
        }

        string? difference = PoolComparison.Difference(assignment.Pools, snapshot.Pools);
        if (difference is null)
        {
            state.ReadPools = Applied(snapshot.Pools);
            if (state.AppliedGeneration != generation || state.Status != ReportedMinerState.Applied)
            {
                Succeed(state, assignment, generation, commands: 0, steps: []);
            }

            return;
        }

        if (state.NextRetryAt is { } next && _time.GetUtcNow() < next)
        {
            return;
        }

        await ApplyAsync(assignment, generation, health, snapshot, difference, state, cancellationToken);
    }

    private async Task ApplyAsync(MinerPoolAssignment assignment, long generation, MinerPollStatus health, MinerSnapshot snapshot, string difference, MinerPoolState state, CancellationToken cancellationToken)
    {
        FirmwareProfile? profile = _store.ProfileOf(assignment.MinerId);
        if (profile is null)
        {
            Fail(state, assignment.MinerId, generation, $"its firmware profile '{snapshot.Identity.Profile}' is not known to this agent", MinerApiErrorKind.UnsupportedReply);
            return;
        }

        if (assignment.Pools.Any(p => p.Quota is not null) && !profile.CanSetQuota)
        {
            Fail(state, assignment.MinerId, generation, $"pool quotas are asked but the firmware profile '{profile.Name}' cannot set them", MinerApiErrorKind.UnsupportedReply);
            return;
        }

        WriteChannel? channel = _channels.Writer.ChannelFor(profile, MinerOperation.SetPools);
        if (channel is null)
        {
            Fail(state, assignment.MinerId, generation, $"the firmware profile '{profile.Name}' cannot add pools: it routes setPools to no write channel", MinerApiErrorKind.UnsupportedReply);
            return;
        }

        ChannelTarget target = _channels.Target(assignment.MinerId, health.Endpoint, profile);
        (int commands, IReadOnlyList<string>? summaries) = channel.WritesWholePoolList
            ? await WriteWholeListAsync(channel, target, assignment, generation, difference, state, cancellationToken)
            : await RunPlanAsync(channel, target, assignment, generation, snapshot, difference, state, cancellationToken);
        if (summaries is null)
        {
            return; // failed, already reported
        }

        // Read back now rather than at the next poll: "applied" means seen on the miner, not merely sent.
        MinerReadResult check = await _reader.ReadAsync(health.Endpoint, profile.Name, cancellationToken);
        if (!check.IsSuccess)
        {
            Fail(state, assignment.MinerId, generation, $"the pools were sent ({commands} commands) but the read-back failed: {check.Error!.Message}", check.Error.Kind);
            return;
        }

        string? left = PoolComparison.Difference(assignment.Pools, check.Snapshot!.Pools);
        if (left is not null)
        {
            Fail(state, assignment.MinerId, generation, $"after {commands} commands the miner still differs: {left}", MinerApiErrorKind.CommandError);
            return;
        }

        state.ReadPools = Applied(check.Snapshot.Pools);
        Succeed(state, assignment, generation, commands, summaries);
    }

    /// <summary>Command by command (cgminer RPC): the fewest profile actions the planner finds. Null summaries: failed.</summary>
    private async Task<(int Commands, IReadOnlyList<string>? Summaries)> RunPlanAsync(WriteChannel channel, ChannelTarget target, MinerPoolAssignment assignment, long generation, MinerSnapshot snapshot, string difference, MinerPoolState state, CancellationToken cancellationToken)
    {
        FirmwareProfile profile = target.Profile;
        PoolChangePlan plan = PoolPlanner.Plan(assignment.Pools, snapshot.Pools, profile, _credentials.PasswordFor);
        if (!plan.IsPossible)
        {
            Fail(state, assignment.MinerId, generation, plan.Problem!, MinerApiErrorKind.UnsupportedReply);
            return (0, null);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            string steps = string.Join("; ", plan.Steps.Select(s => s.Summary));
            LogApplying(_logger, assignment.MinerId, generation, difference, steps);
        }

        int commands = 0;
        bool sent = false;
        try
        {
            foreach (PoolStep step in plan.Steps)
            {
                ChannelResult result = await channel.RunPoolStepAsync(target, step.Action, step.Values, cancellationToken);
                sent |= result.RequestsSent > 0;
                commands += result.RequestsSent;
                if (!result.Succeeded && step.DisableIfRefused && result.Error?.Kind == ChannelErrorKind.CommandError)
                {
                    // cgminer refuses to remove the pool it is mining on; disabled, it gets no work either.
                    result = await channel.RunPoolStepAsync(target, ProfileAction.DisablePool, step.Values, cancellationToken);
                    commands += result.RequestsSent;
                }

                if (!result.Succeeded)
                {
                    // The runner masks the password in what the miner echoes; Fail scrubs configured passwords again.
                    string why = result.Outcome == ActionOutcome.NotSupported ? $"the firmware profile '{profile.Name}' has no {step.Action} action" : result.Error?.Message ?? "failed";
                    Fail(state, assignment.MinerId, generation, $"{step.Summary}: {why}", KindOf(result.Error));
                    return (commands, null);
                }
            }
        }
        finally
        {
            if (sent)
            {
                state.LastWriteAt = _time.GetUtcNow();
            }
        }

        return (commands, [.. plan.Steps.Select(s => s.Summary)]);
    }

    /// <summary>Whole list at once (web CGI): the desired pools in priority order with their passwords. Null summaries: failed.</summary>
    private async Task<(int Commands, IReadOnlyList<string>? Summaries)> WriteWholeListAsync(WriteChannel channel, ChannelTarget target, MinerPoolAssignment assignment, long generation, string difference, MinerPoolState state, CancellationToken cancellationToken)
    {
        IReadOnlyList<PoolTarget> wanted = PoolComparison.InOrder(assignment.Pools);
        var pools = wanted.Select(p => new PoolEntry(p.Url, p.User, _credentials.PasswordFor(p.Url, p.User), p.Quota)).ToList();
        string summary = $"write the pool list {string.Join(", ", pools.Select(p => p.ToString()))} through {channel.Name}";
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogApplying(_logger, assignment.MinerId, generation, difference, summary);
        }

        ChannelResult result = await channel.SetPoolsAsync(target, pools, cancellationToken);
        if (result.RequestsSent > 0)
        {
            state.LastWriteAt = _time.GetUtcNow();
        }

        if (!result.Succeeded)
        {
            Fail(state, assignment.MinerId, generation, result.Error?.ToString() ?? $"{summary}: failed", KindOf(result.Error));
            return (result.RequestsSent, null);
        }

        return (result.RequestsSent, [summary]);
    }

    /// <summary>How the retry treats a channel failure: unreachable and timeout wait for the miner, the rest back off.</summary>
    private static MinerApiErrorKind KindOf(ChannelError? error) => error?.Kind switch
    {
        ChannelErrorKind.Unreachable => MinerApiErrorKind.Unreachable,
        ChannelErrorKind.Timeout => MinerApiErrorKind.Timeout,
        ChannelErrorKind.AccessDenied or ChannelErrorKind.AuthenticationFailed or ChannelErrorKind.MissingCredentials => MinerApiErrorKind.AccessDenied,
        ChannelErrorKind.MalformedReply => MinerApiErrorKind.MalformedReply,
        ChannelErrorKind.NotSupported or null => MinerApiErrorKind.UnsupportedReply,
        _ => MinerApiErrorKind.CommandError,
    };

    private void Succeed(MinerPoolState state, MinerPoolAssignment assignment, long generation, int commands, IReadOnlyList<string> steps)
    {
        state.Status = ReportedMinerState.Applied;
        state.AppliedGeneration = generation;
        state.Reason = null;
        state.Backoff = null;
        state.NextRetryAt = null;
        PoolTarget first = PoolComparison.InOrder(assignment.Pools)[0];
        if (commands == 0)
        {
            LogAlreadyApplied(_logger, assignment.MinerId, generation);
            return;
        }

        _events.Raise(RackEvent.Info(
            "pools",
            "pools-applied",
            assignment.MinerId,
            $"generation {generation}: now mining on {first.Url} ({first.User}) first, {assignment.Pools.Count} pool(s), verified by read-back after {commands} command(s): {string.Join("; ", steps)}"));
    }

    private void Fail(MinerPoolState state, string minerId, long generation, string reason, MinerApiErrorKind kind)
    {
        // Scrubbed before it is cut, so that no part of a secret survives; cut because miners' replies can be long.
        reason = BoundedText.Echo(Scrub(reason), ReportedStateBudget.MaxReasonChars);
        state.Reason = reason;
        if (kind is MinerApiErrorKind.Unreachable or MinerApiErrorKind.Timeout)
        {
            // Not a refusal: try again as soon as a poll finds it answering.
            state.Status = ReportedMinerState.Waiting;
            state.NextRetryAt = null;
            LogWaiting(_logger, minerId, generation, reason);
            return;
        }

        state.Status = ReportedMinerState.Failed;
        state.Backoff = state.Backoff is { } b ? TimeSpan.FromTicks(Math.Min(b.Ticks * 2, MaxRetryDelay.Ticks)) : FirstRetryDelay;
        state.NextRetryAt = _time.GetUtcNow() + state.Backoff.Value;
        _events.Raise(RackEvent.Warning("pools", "pools-failed", minerId, $"generation {generation}: {reason}; next try in {state.Backoff.Value.TotalMinutes:0.#} min"));
    }

    /// <summary>The enabled pools as read, in use order, as contract pool targets (URLs without credentials).</summary>
    private static IReadOnlyList<PoolTarget> Applied(IReadOnlyList<PoolReading> pools) =>
        [.. pools.Where(PoolComparison.IsEnabled).OrderBy(PoolComparison.OrderKey).ThenBy(p => p.Index).Take(ReportedStateBudget.MaxPoolsListed)
            .Select((p, i) => new PoolTarget(BoundedText.Echo(TelemetryPool.SanitizeUrl(p.Url), ReportedStateBudget.MaxEchoChars), BoundedText.Echo(p.User, ReportedStateBudget.MaxEchoChars), i, p.Quota))];

    /// <summary>Reasons come partly from miners: mask anything that looks like a secret and every configured pool password.</summary>
    private string Scrub(string text)
    {
        string redacted = SecretRedactor.Redact(text);
        foreach (string secret in _credentials.Secrets.Concat(_channels.Credentials.Secrets).Where(s => s.Length > 1))
        {
            redacted = redacted.Replace(secret, SecretRedactor.Mask, StringComparison.Ordinal);
        }

        return redacted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Changing the pools of miner {MinerId} to generation {Generation} ({Difference}): {Steps}")]
    private static partial void LogApplying(ILogger logger, string minerId, long generation, string difference, string steps);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling the pools of miner {MinerId} failed unexpectedly; it is retried after the backoff")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string minerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Miner {MinerId} already has the pools of generation {Generation}; nothing sent")]
    private static partial void LogAlreadyApplied(ILogger logger, string minerId, long generation);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pool reconciliation pass failed unexpectedly; the next poll cycle starts another")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId} did not take generation {Generation} yet: {Reason}; trying again once it answers")]
    private static partial void LogWaiting(ILogger logger, string minerId, long generation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enforcing desired pool state generation {Generation} for {MinerCount} miners; waiting for the first poll")]
    private static partial void LogEnforcingLoaded(ILogger logger, long generation, int minerCount);
}
