using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Systemd;

/// <summary>
/// Sends WATCHDOG=1 every half of WATCHDOG_USEC through the package's <see cref="ISystemdNotifier"/>, but only while the
/// service reports progress, and forwards its STATUS= lines. A hung main loop stops the pings and systemd restarts the
/// service; a free-running timer would keep a dead loop "alive" forever. READY=1 and STOPPING=1 are the package's
/// <see cref="SystemdLifetime"/>'s. Without a notifier (not run by systemd) every call is a no-op.
/// </summary>
public sealed partial class ProgressWatchdog : IHostedService, IDisposable
{
    private static readonly ServiceState WatchdogPing = new("WATCHDOG=1");

    private readonly ISystemdNotifier? _notifier;
    private readonly SystemdEnvironment _environment;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _stallTimeout;
    private readonly ILogger<ProgressWatchdog> _logger;
    private readonly Lock _gate = new();
    private CancellationTokenRegistration _stoppingRegistration;
    private ITimer? _timer;
    private DateTimeOffset _lastProgress;
    private bool _stalled;
    private bool _stopping;
    private bool _sendFailed;

    /// <param name="notifier">The package's notifier; null (not registered) outside systemd.</param>
    public ProgressWatchdog(
        SystemdEnvironment environment,
        IHostApplicationLifetime lifetime,
        TimeProvider time,
        IOptions<ProgressWatchdogOptions> options,
        ILogger<ProgressWatchdog> logger,
        ISystemdNotifier? notifier = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _lifetime = lifetime ?? throw new ArgumentNullException(nameof(lifetime));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _stallTimeout = options.Value.StallTimeout;
        _notifier = notifier;
        if (_stallTimeout is { } stall)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stall, TimeSpan.Zero, nameof(options));
        }
    }

    /// <summary>True when there is a notify socket to talk to.</summary>
    public bool IsEnabled => _notifier?.IsEnabled == true;

    /// <summary>Half the watchdog interval, as sd_watchdog_enabled(3) recommends; null while no pings are scheduled.</summary>
    public TimeSpan? PingInterval { get; private set; }

    /// <summary>Pings sent so far.</summary>
    public long Pings { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            return Task.CompletedTask;
        }

        // Registered after SystemdLifetime's, so it runs first: no ping or status follows STOPPING=1.
        _stoppingRegistration = _lifetime.ApplicationStopping.Register(Stop);
        if (_environment.WatchdogInterval is not { } interval)
        {
            return Task.CompletedTask;
        }

        if (_stallTimeout is not { } stall)
        {
            LogNoProgressSignal(_logger, interval.TotalSeconds);
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            // "Now" counts as progress, so a slow first cycle has the full stall timeout.
            _lastProgress = _time.GetUtcNow();
            PingInterval = interval / 2;
            _timer = _time.CreateTimer(_ => Tick(), null, interval / 2, interval / 2);
        }

        LogWatchdogOn(_logger, (interval / 2).TotalSeconds, stall.TotalSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>The main loop made progress (a poll cycle finished): keeps the pings going.</summary>
    public void ReportProgress()
    {
        lock (_gate)
        {
            _lastProgress = _time.GetUtcNow();
            _stalled = false;
        }
    }

    /// <summary>Sets the line `systemctl status` shows; newlines would end the assignment, so they become spaces.</summary>
    public void ReportStatus(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        lock (_gate)
        {
            if (IsEnabled && !_stopping)
            {
                Send(new ServiceState("STATUS=" + status.Replace('\n', ' ').Replace('\r', ' ')));
            }
        }
    }

    public void Dispose()
    {
        Stop();
        _stoppingRegistration.Dispose();
    }

    private void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Tick()
    {
        DateTimeOffset last;
        lock (_gate)
        {
            if (_timer is null)
            {
                return;
            }

            last = _lastProgress;
            if (_time.GetUtcNow() - last <= _stallTimeout)
            {
                if (Send(WatchdogPing))
                {
                    Pings++;
                }

                return;
            }

            if (_stalled)
            {
                return;
            }

            _stalled = true;
        }

        LogStalled(_logger, last, _stallTimeout!.Value.TotalSeconds);
    }

    // Caller holds the gate. A lost datagram is not worth a crash: systemd may be re-executing; the next one tries again.
    private bool Send(ServiceState state)
    {
        try
        {
            _notifier!.Notify(state);
            _sendFailed = false;
            return true;
        }
        catch (SocketException e)
        {
            if (!_sendFailed)
            {
                LogSendFailed(_logger, e.SocketErrorCode.ToString(), e.Message);
            }

            _sendFailed = true;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The unit sets WatchdogSec ({WatchdogSeconds} s) but this service reports no progress, so it sends no WATCHDOG=1; remove WatchdogSec= from the unit")]
    private static partial void LogNoProgressSignal(ILogger logger, double watchdogSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog on: WATCHDOG=1 every {PingSeconds} s while the main loop makes progress (stall after {StallSeconds} s)")]
    private static partial void LogWatchdogOn(ILogger logger, double pingSeconds, double stallSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The main loop has made no progress since {LastProgress:u} (more than {StallSeconds} s); withholding WATCHDOG=1 so systemd restarts the service")]
    private static partial void LogStalled(ILogger logger, DateTimeOffset lastProgress, double stallSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sd_notify failed ({SocketError}: {Error}); the service keeps running and tries again with the next message")]
    private static partial void LogSendFailed(ILogger logger, string socketError, string error);
}
