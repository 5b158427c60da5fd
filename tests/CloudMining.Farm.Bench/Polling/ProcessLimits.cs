using System.Runtime.InteropServices;

namespace CloudMining.Farm.Bench.Polling;

/// <summary>Raises this process's open-file limit to its hard limit: thousands of concurrent miner sockets need more than the usual 1024.</summary>
internal static partial class ProcessLimits
{
    private const int RlimitNofile = 7; // Linux RLIMIT_NOFILE

    /// <summary>Returns the soft limit now in force, or null where the call is not available (not Linux).</summary>
    public static ulong? RaiseOpenFiles()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (GetRLimit(RlimitNofile, out RLimit limit) != 0)
        {
            return null;
        }

        if (limit.Current < limit.Maximum)
        {
            var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (SetRLimit(RlimitNofile, in raised) == 0)
            {
                return raised.Current;
            }
        }

        return limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
