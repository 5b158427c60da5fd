using System.Collections.Concurrent;
using System.Threading.Channels;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Capabilities;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Retry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Capabilities;

/// <summary>
/// Keeps every miner's <see cref="MinerCapabilities"/> current and hands them to the MQTT status: a miner is probed
/// (read-only, <see cref="CapabilityProber"/>) once its firmware profile is known after a poll, again when its profile,
/// address or login changes, soon after a pool change or a watchdog restart through its channel failed, and otherwise
/// every <see cref="Interval"/>; a channel that did not answer is probed again after 5 s, 10 s, 20 s… and what worked
/// before is only withdrawn after <see cref="MissesBeforeWithdrawal"/> such probes. Poll cycles only queue miner ids: the probes run on a few workers of their own, each
/// with a deadline, so a slow miner never delays polling.
/// </summary>
public sealed partial class MinerCapabilityService : BackgroundService
{
    /// <summary>How often a miner is probed when nothing else asks for it.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    /// <summary>A failed write asks for a new probe at most this often per miner (no probe storm from a retrying writer).</summary>
    public static readonly TimeSpan MinRetestInterval = TimeSpan.FromSeconds(30);

    /// <summary>First wait before probing again a miner whose channel did not answer; doubles up to <see cref="Interval"/>.</summary>
    public static readonly TimeSpan UnreachableRetry = TimeSpan.FromSeconds(5);

    /// <summary>Probes in a row that must find a channel unreachable before capabilities that worked are withdrawn.</summary>
    public const int MissesBeforeWithdrawal = 3;

    private const int MaxWorkers = 8;

    private readonly PollingService? _polling;
    private readonly MinerChannels _channels;
    private readonly FirmwareProfileCatalog _catalog;
    private readonly RackEventBus? _events;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MinerCapabilityService> _logger;
    private readonly CapabilityProber _prober;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false });
    private long _probes;

    public MinerCapabilityService(
        PollingService? polling,
        MinerChannels channels,
        FirmwareProfileCatalog catalog,
        RackEventBus? events,
        AgentMqttLink? link,
        IOptions<AgentOptions> options,
        TimeProvider time,
        ILogger<MinerCapabilityService> logger,
        TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _polling = polling;
        _channels = channels ?? throw new ArgumentNullException(nameof(channels));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _events = events;
        _options = options.Value;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Interval = interval is { } i && i > TimeSpan.Zero ? i : DefaultInterval;
        _prober = new CapabilityProber(channels.Writer, time);
        if (link is not null)
        {
            link.UseCapabilities(() => Current);
            Changed += (_, _) => link.QueueStatus();
        }
    }

    /// <summary>Raised (on a probe worker) when some miner's capabilities changed.</summary>
    public event EventHandler? Changed;

    public TimeSpan Interval { get; }

    /// <summary>Probes run so far.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    /// <summary>The latest capabilities of every probed miner, by miner id.</summary>
    public IReadOnlyList<MinerCapabilities> Current =>
        [.. _entries.Values.Select(e => e.Capabilities).OfType<MinerCapabilities>().OrderBy(c => c.MinerId, StringComparer.Ordinal)];

    /// <summary>Queues the miners of a finished poll cycle that need a probe (new, changed, due, or asked for).</summary>
    public void OnCycleCompleted(object? sender, PollCycleCompletedEventArgs cycle)
    {
        ArgumentNullException.ThrowIfNull(cycle);
        DateTimeOffset now = _time.GetUtcNow();
        foreach (MinerPollStatus health in cycle.Miners)
        {
            if (ProfileOf(health) is not { } profile)
            {
                continue;
            }

            ChannelTarget target = _channels.Target(health.MinerId, health.Endpoint, profile);
            Entry entry = _entries.GetOrAdd(health.MinerId, _ => new Entry());
            lock (entry)
            {
                bool changed = entry.Target is null || !SameMiner(entry.Target, target);
                bool due = entry.ProbedAt is not { } at || now - at >= Interval;
                bool retest = (entry.Retest && (entry.ProbedAt is not { } last || now - last >= MinRetestInterval)) || (entry.RetryAt is { } retry && now >= retry);
                entry.Target = target;
                if ((changed || due || retest) && !entry.Queued)
                {
                    entry.Queued = true;
                    entry.Retest = false;
                    _queue.Writer.TryWrite(health.MinerId);
                }
            }
        }
    }

    /// <summary>Asks for a new probe of one miner (a write through its channel failed), at most once per <see cref="MinRetestInterval"/>.</summary>
    public void Retest(string minerId)
    {
        if (!_entries.TryGetValue(minerId, out Entry? entry))
        {
            return;
        }

        lock (entry)
        {
            if (entry.Queued)
            {
                return;
            }

            if (entry.Target is not null && (entry.ProbedAt is not { } at || _time.GetUtcNow() - at >= MinRetestInterval))
            {
                entry.Queued = true;
                _queue.Writer.TryWrite(minerId);
            }
            else
            {
                entry.Retest = true; // a later poll cycle queues it once the minimum gap has passed
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_polling is not null)
        {
            _polling.CycleCompleted += OnCycleCompleted;
        }

        if (_events is not null)
        {
            _events.Raised += OnRackEvent;
        }

        try
        {
            int workers = Math.Clamp(_options.MaxConcurrency, 1, MaxWorkers);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => WorkAsync(stoppingToken)));
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

            if (_events is not null)
            {
                _events.Raised -= OnRackEvent;
            }
        }
    }

    /// <summary>Probes one miner now (tests, and the workers).</summary>
    public async Task<MinerCapabilities?> ProbeNowAsync(string minerId, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(minerId, out Entry? entry) || entry.Target is not { } target)
        {
            return null;
        }

        // Each channel has its own timeouts; this deadline only bounds a probe that touches several of them.
        using var deadline = new CancellationTokenSource(ProbeDeadline, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        MinerCapabilities found = await _prober.ProbeAsync(target, linked.Token);
        MinerCapabilities? before;
        bool replaced;
        lock (entry)
        {
            before = entry.Capabilities;
            entry.ProbedAt = found.ProbedAt;
            entry.Queued = false;
            if (found.Operations.Any(o => o.Reason == CapabilityReasons.Unreachable))
            {
                // A channel that did not answer while the miner answers polls is most often a busy miner: probe again
                // soon, and keep what worked until several probes in a row agree it is gone.
                entry.Misses++;
                entry.RetryAt = found.ProbedAt + Backoff(entry.Misses);
                replaced = before is null || before.Operations.Any(o => o.Reason == CapabilityReasons.Unreachable) || entry.Misses >= MissesBeforeWithdrawal;
            }
            else
            {
                entry.Misses = 0;
                entry.RetryAt = null;
                replaced = true;
            }

            if (replaced)
            {
                entry.Capabilities = found;
            }

            // Counted once its outcome is recorded: whoever sees the count also sees the entry no longer queued.
            Interlocked.Increment(ref _probes);
        }

        if (replaced && (before is null || !Same(before, found)))
        {
            LogChange(found);
            Changed?.Invoke(this, EventArgs.Empty);
        }

        return found;
    }

    private TimeSpan Backoff(int misses) => DoublingBackoff.Delay(misses - 1, UnreachableRetry, Interval);

    private TimeSpan ProbeDeadline => _options.MinerTimeout * 4 + TimeSpan.FromSeconds(1);

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (string minerId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await ProbeNowAsync(minerId, stoppingToken);
            }
#pragma warning disable CA1031 // one miner's fault must not stop the probes of the others
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                LogProbeFailed(_logger, minerId, e.GetType().Name);
                if (_entries.TryGetValue(minerId, out Entry? entry))
                {
                    lock (entry)
                    {
                        entry.Queued = false;
                        entry.ProbedAt = _time.GetUtcNow();
                    }
                }
            }
        }
    }

    private void OnRackEvent(object? sender, RackEvent e)
    {
        bool writeFailed = (e.Kind, e.Action) is ("pools", "pools-failed") or ("watchdog", "restart-failed") or ("watchdog", "restart-unavailable");
        if (writeFailed && e.MinerId is { } minerId)
        {
            Retest(minerId);
        }
    }

    private FirmwareProfile? ProfileOf(MinerPollStatus health)
    {
        string name = string.Equals(health.ConfiguredProfile, MinerOptions.AutoProfile, StringComparison.OrdinalIgnoreCase)
            ? health.Snapshot?.Identity.Profile ?? string.Empty
            : health.ConfiguredProfile;
        return _catalog.TryGet(name, out FirmwareProfile profile) ? profile : null;
    }

    private static bool SameMiner(ChannelTarget a, ChannelTarget b) =>
        ReferenceEquals(a.Profile, b.Profile) && a.Endpoint == b.Endpoint && a.WebPort == b.WebPort && Equals(a.Credential, b.Credential);

    private static bool Same(MinerCapabilities a, MinerCapabilities b) =>
        a.Profile == b.Profile && a.PoolQuota == b.PoolQuota && a.QuotaStep == b.QuotaStep && a.PowerTargetMinW == b.PowerTargetMinW
        && a.PowerTargetMaxW == b.PowerTargetMaxW && a.VendorDefaultLogin == b.VendorDefaultLogin && a.Operations.SequenceEqual(b.Operations);

    private void LogChange(MinerCapabilities c)
    {
        string[] available = [.. c.Operations.Where(o => o.Available).Select(o => o.Operation)];
        string[] unavailable = [.. c.Operations.Where(o => !o.Available && o.Reason != CapabilityReasons.NoRoute).Select(o => $"{o.Operation} ({o.Reason})")];
        if (unavailable.Length > 0 && c.For(MinerOperation.SetPools) is { Available: false } pools)
        {
            LogPoolsUnavailable(_logger, c.MinerId, pools.Reason ?? string.Empty, pools.Why ?? string.Empty, pools.Fix ?? string.Empty);
        }

        LogCapabilities(_logger, c.MinerId, c.Profile ?? "-", available.Length == 0 ? "none" : string.Join(", ", available), unavailable.Length == 0 ? "none" : string.Join(", ", unavailable));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Miner {MinerId} ({Profile}) capabilities: available {Available}; unavailable {Unavailable}")]
    private static partial void LogCapabilities(ILogger logger, string minerId, string profile, string available, string unavailable);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId}: its pools cannot be set ({Reason}: {Why}); it will not be sold until fixed: {Fix}")]
    private static partial void LogPoolsUnavailable(ILogger logger, string minerId, string reason, string why, string fix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Probing miner {MinerId}'s write channels failed unexpectedly ({Error}); it is probed again later")]
    private static partial void LogProbeFailed(ILogger logger, string minerId, string error);

    /// <summary>What the service knows of one miner; guarded by locking the entry.</summary>
    private sealed class Entry
    {
        public ChannelTarget? Target { get; set; }

        public MinerCapabilities? Capabilities { get; set; }

        public DateTimeOffset? ProbedAt { get; set; }

        public bool Queued { get; set; }

        public bool Retest { get; set; }

        /// <summary>Probes in a row that found a channel unreachable.</summary>
        public int Misses { get; set; }

        /// <summary>When to probe again after an unreachable channel.</summary>
        public DateTimeOffset? RetryAt { get; set; }
    }
}
