using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Systemd;

/// <summary>
/// The host's Type=notify integration: READY=1 once every hosted service has started, STATUS= lines from the service,
/// WATCHDOG=1 while the service reports progress, STOPPING=1 when shutdown begins. A no-op outside systemd.
/// </summary>
public sealed class SystemdNotifyService : IHostedService, IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly SystemdEnvironment _environment;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly SystemdNotifyOptions _options;
    private readonly ILogger<SystemdNotifyService> _logger;
    private readonly Lock _gate = new();
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private SystemdWatchdog? _watchdog;
    private string? _pendingStatus;
    private bool _ready;
    private bool _stopping;

    public SystemdNotifyService(
        ISystemdNotifier notifier,
        SystemdEnvironment environment,
        IHostApplicationLifetime lifetime,
        TimeProvider time,
        IOptions<SystemdNotifyOptions> options,
        ILogger<SystemdNotifyService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _notifier = notifier ?? throw new ArgumentNullException(nameof(notifier));
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _lifetime = lifetime ?? throw new ArgumentNullException(nameof(lifetime));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options.Value;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The running watchdog, or null when the unit has none (or the service gives no progress signal).</summary>
    public SystemdWatchdog? Watchdog => _watchdog;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_notifier.IsEnabled)
        {
            return Task.CompletedTask;
        }

        _registrations.Add(_lifetime.ApplicationStarted.Register(OnStarted));
        _registrations.Add(_lifetime.ApplicationStopping.Register(OnStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sets the line `systemctl status` shows; held back until READY=1 so the manager sees them in order.</summary>
    public void ReportStatus(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        lock (_gate)
        {
            if (!_notifier.IsEnabled || _stopping)
            {
                return;
            }

            if (!_ready)
            {
                _pendingStatus = status;
                return;
            }

            _notifier.Notify(ServiceState.Status(status));
        }
    }

    /// <summary>The main loop is alive; keeps the watchdog pinging.</summary>
    public void ReportProgress() => _watchdog?.ReportProgress();

    public void Dispose()
    {
        foreach (CancellationTokenRegistration r in _registrations)
        {
            r.Dispose();
        }

        _watchdog?.Dispose();
    }

    private void OnStarted()
    {
        lock (_gate)
        {
            _notifier.Notify(ServiceState.Ready);
            _ready = true;
            if (_pendingStatus is not null)
            {
                _notifier.Notify(ServiceState.Status(_pendingStatus));
                _pendingStatus = null;
            }

            StartWatchdog();
        }
    }

    private void StartWatchdog()
    {
        if (_environment.WatchdogInterval is not { } interval)
        {
            return;
        }

        if (_options.WatchdogStallTimeout is not { } stall)
        {
            _logger.LogWarning(
                "The unit sets WatchdogSec ({WatchdogSeconds} s) but this service reports no progress, so it sends no WATCHDOG=1; remove WatchdogSec= from the unit",
                interval.TotalSeconds);
            return;
        }

        _watchdog = new SystemdWatchdog(_notifier, interval, stall, _time);
        _watchdog.Stalled += (_, last) => _logger.LogError(
            "The main loop has made no progress since {LastProgress:u} (more than {StallSeconds} s); withholding WATCHDOG=1 so systemd restarts the service",
            last, stall.TotalSeconds);
        _watchdog.Start();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("systemd watchdog on: WATCHDOG=1 every {PingSeconds} s while the main loop makes progress", _watchdog.PingInterval.TotalSeconds);
        }
    }

    private void OnStopping()
    {
        lock (_gate)
        {
            _stopping = true;
            _watchdog?.Stop();
            _notifier.Notify(ServiceState.Stopping);
        }
    }
}
