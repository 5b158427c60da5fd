namespace CloudMining.Farm.Systemd;

/// <summary>How the service maps its own liveness onto systemd's watchdog.</summary>
public sealed class SystemdNotifyOptions
{
    /// <summary>
    /// Longest normal gap between two <see cref="SystemdNotifyService.ReportProgress"/> calls. Null means the service has
    /// no progress signal: WATCHDOG=1 is then never sent, and a unit with WatchdogSec= would kill it, so say so at start.
    /// </summary>
    public TimeSpan? WatchdogStallTimeout { get; set; }
}
