using System.Runtime.InteropServices;

namespace CloudMining.Farm.Simulator.Native;

/// <summary>Raises the soft open-files limit to the hard limit: one listening socket per miner means 10,000 miners need more than the default 1024.</summary>
public static partial class OpenFilesLimit
{
    // RLIMIT_NOFILE is 7 on Linux (x86-64 and arm64).
    private const int RlimitNofile = 7;

    /// <summary>Tries to raise the soft limit; returns the limits before and after, or a reason when it cannot.</summary>
    public static (ulong Before, ulong After, string? Problem) RaiseToHardLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (0, 0, "not Linux: open-files limit left as it is");
        }

        try
        {
            if (GetRlimit(RlimitNofile, out Rlimit limit) != 0)
            {
                return (0, 0, $"getrlimit failed with errno {Marshal.GetLastPInvokeError()}");
            }

            if (limit.Current >= limit.Maximum)
            {
                return (limit.Current, limit.Current, null);
            }

            var raised = new Rlimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (SetRlimit(RlimitNofile, in raised) != 0)
            {
                return (limit.Current, limit.Current, $"setrlimit failed with errno {Marshal.GetLastPInvokeError()}");
            }

            return (limit.Current, raised.Current, null);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return (0, 0, "libc's getrlimit/setrlimit are not available: " + ex.Message);
        }
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in Rlimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
