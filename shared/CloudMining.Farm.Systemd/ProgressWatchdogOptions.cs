namespace CloudMining.Farm.Systemd;

/// <summary>How the service maps its own liveness onto systemd's watchdog.</summary>
public sealed class ProgressWatchdogOptions
{
    /// <summary>
    /// Longest normal gap between two <see cref="ProgressWatchdog.ReportProgress"/> calls. Null means the service has no
    /// progress signal: WATCHDOG=1 is then never sent, and a unit with WatchdogSec= would kill it, so it says so at start.
    /// </summary>
    public TimeSpan? StallTimeout { get; set; }
}
