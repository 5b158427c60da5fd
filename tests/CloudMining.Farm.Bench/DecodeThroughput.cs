using System.Diagnostics;
using System.Globalization;

namespace CloudMining.Farm.Bench;

/// <summary>
/// Replies decoded per CPU-second, single thread: on a shared, loaded machine wall-clock benchmarks measure the
/// neighbours; process CPU time measures the decoder. Run: dotnet CloudMining.Farm.Bench.dll throughput
/// </summary>
internal static class DecodeThroughput
{
    public static void Run(TextWriter output)
    {
        string[] families = [DecodeBenchmarks.Multi, "antminer", "braiins-os", "whatsminer", "avalon", "generic-repaired"];
        output.WriteLine("| family | replies per CPU-second (1 thread) | µs CPU per read |");
        output.WriteLine("| --- | ---: | ---: |");
        foreach (string family in families)
        {
            var bench = new DecodeBenchmarks { Family = family };
            bench.Setup();
            for (int i = 0; i < 20_000; i++)
            {
                bench.Decode(); // warm up: tiered JIT reaches its optimized code
            }

            using var process = Process.GetCurrentProcess();
            TimeSpan cpuStart = process.TotalProcessorTime;
            int ops = 0;
            while (true)
            {
                for (int i = 0; i < 1000; i++)
                {
                    bench.Decode();
                }

                ops += 1000;
                process.Refresh();
                if (process.TotalProcessorTime - cpuStart >= TimeSpan.FromSeconds(3))
                {
                    break;
                }
            }

            double cpuSeconds = (process.TotalProcessorTime - cpuStart).TotalSeconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {family} | {ops / cpuSeconds:N0} | {cpuSeconds / ops * 1e6:F1} |"));
        }
    }
}
