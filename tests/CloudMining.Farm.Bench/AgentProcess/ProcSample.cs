using System.Globalization;
using System.Runtime.InteropServices;

namespace CloudMining.Farm.Bench.AgentProcess;

/// <summary>
/// One reading of another process from /proc: CPU time (utime + stime) and resident memory. Read from outside, so it
/// needs nothing from the measured binary and works the same for any version of it.
/// </summary>
internal readonly partial record struct ProcSample(TimeSpan Cpu, long RssBytes, long RssAnonBytes, long PeakRssBytes, int Threads)
{
    private const int ScClkTck = 2; // Linux _SC_CLK_TCK

    private static readonly long TicksPerSecond = ClockTicks();

    /// <summary>Reads /proc/PID/stat and /proc/PID/status; throws when the process is gone.</summary>
    public static ProcSample Read(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(fields[11], CultureInfo.InvariantCulture); // field 14
        long stime = long.Parse(fields[12], CultureInfo.InvariantCulture); // field 15
        var cpu = TimeSpan.FromSeconds((utime + stime) / (double)TicksPerSecond);

        long rss = 0, anon = 0, hwm = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kib(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kib(line);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new ProcSample(cpu, rss, anon, hwm, threads);
    }

    private static long Kib(string line)
    {
        string value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        return long.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    private static long ClockTicks()
    {
        long ticks = OperatingSystem.IsLinux() ? SysConf(ScClkTck) : -1;
        return ticks > 0 ? ticks : 100;
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
