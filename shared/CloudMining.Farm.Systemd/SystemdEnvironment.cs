using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;

namespace CloudMining.Farm.Systemd;

/// <summary>
/// What systemd tells a service that Microsoft.Extensions.Hosting.Systemd does not read for us: whether we run as a
/// service at all, the watchdog interval (WATCHDOG_USEC for WATCHDOG_PID) and whether stdout goes to the journal.
/// </summary>
/// <remarks>NOTIFY_SOCKET is not here: the package's <see cref="SystemdNotifier"/> reads it.</remarks>
public sealed record SystemdEnvironment
{
    /// <summary>
    /// True when the process runs as a systemd service: <see cref="SystemdHelpers.IsSystemdService"/>, or SYSTEMD_EXEC_PID
    /// naming this process. The package's check reads /proc/PPID/comm, which ProtectProc=invisible in our units hides
    /// (dotnet/runtime#125368); systemd 248 and later (bookworm has 252) set SYSTEMD_EXEC_PID, which it does not read.
    /// </summary>
    public bool IsService { get; init; }

    /// <summary>Half of this is how often systemd expects WATCHDOG=1; null when the unit has no WatchdogSec=.</summary>
    public TimeSpan? WatchdogInterval { get; init; }

    /// <summary>True when stdout/stderr go to journald (JOURNAL_STREAM set): logs need no colours and no timestamps.</summary>
    public bool JournalStream { get; init; }

    /// <summary>The process's own environment.</summary>
    public static SystemdEnvironment FromProcess()
    {
        SystemdEnvironment env = From(Environment.GetEnvironmentVariable, Environment.ProcessId);
        return SystemdHelpers.IsSystemdService() ? env with { IsService = true } : env;
    }

    /// <summary>Reads the variables through <paramref name="lookup"/>; tests pass a dictionary instead of changing the process environment.</summary>
    public static SystemdEnvironment From(Func<string, string?> lookup, int processId)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return new SystemdEnvironment
        {
            IsService = int.TryParse(lookup("SYSTEMD_EXEC_PID"), NumberStyles.None, CultureInfo.InvariantCulture, out int execPid) && execPid == processId,
            WatchdogInterval = ParseWatchdog(lookup("WATCHDOG_USEC"), lookup("WATCHDOG_PID"), processId),
            JournalStream = !string.IsNullOrEmpty(lookup("JOURNAL_STREAM")),
        };
    }

    private static TimeSpan? ParseWatchdog(string? usec, string? pid, int processId)
    {
        if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong micro) || micro == 0)
        {
            return null;
        }

        // WATCHDOG_PID names the process systemd watches; a child that inherited the variables must not ping for it.
        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int watched) || watched != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(Math.Min(micro, (ulong)TimeSpan.MaxValue.TotalMicroseconds / 2));
    }
}
