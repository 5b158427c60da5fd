namespace CloudMining.Farm.Systemd;

/// <summary>
/// Sends WATCHDOG=1 every half of WATCHDOG_USEC, but only while the service reports progress: a hung main loop stops the
/// pings and systemd kills and restarts the service. A free-running timer would keep a dead loop "alive" forever.
/// </summary>
public sealed class SystemdWatchdog : IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private DateTimeOffset _lastProgress;
    private bool _stalled;

    /// <param name="notifier">Where the pings go.</param>
    /// <param name="watchdogInterval">WATCHDOG_USEC: systemd kills the service when no ping arrives for this long.</param>
    /// <param name="stallTimeout">Longest normal gap between two progress reports; beyond it the loop counts as hung.</param>
    /// <param name="time">The clock (tests move it by hand).</param>
    public SystemdWatchdog(ISystemdNotifier notifier, TimeSpan watchdogInterval, TimeSpan stallTimeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(watchdogInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stallTimeout, TimeSpan.Zero);
        _notifier = notifier ?? throw new ArgumentNullException(nameof(notifier));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        PingInterval = watchdogInterval / 2;
        StallTimeout = stallTimeout;
    }

    /// <summary>Half the watchdog interval, as sd_watchdog_enabled(3) recommends.</summary>
    public TimeSpan PingInterval { get; }

    public TimeSpan StallTimeout { get; }

    /// <summary>Pings sent so far.</summary>
    public long Pings { get; private set; }

    /// <summary>Raised once when progress stops long enough that pings are withheld, with the time of the last progress.</summary>
    public event EventHandler<DateTimeOffset>? Stalled;

    /// <summary>Starts pinging; counts "now" as progress, so a slow first cycle has the full stall timeout.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _lastProgress = _time.GetUtcNow();
            _timer ??= _time.CreateTimer(_ => Tick(), null, PingInterval, PingInterval);
        }
    }

    /// <summary>The main loop made progress (a poll cycle finished).</summary>
    public void ReportProgress()
    {
        lock (_gate)
        {
            _lastProgress = _time.GetUtcNow();
            _stalled = false;
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    public void Dispose() => Stop();

    private void Tick()
    {
        DateTimeOffset last;
        bool raise = false;
        lock (_gate)
        {
            if (_timer is null)
            {
                return;
            }

            last = _lastProgress;
            if (_time.GetUtcNow() - last <= StallTimeout)
            {
                _notifier.Notify(ServiceState.Watchdog);
                Pings++;
                return;
            }

            raise = !_stalled;
            _stalled = true;
        }

        if (raise)
        {
            Stalled?.Invoke(this, last);
        }
    }
}
