using BenchmarkDotNet.Running;
using CloudMining.Farm.Bench.Influx;

namespace CloudMining.Farm.Bench;

/// <summary>Benchmarks entry point; see docs/benchmarks.md for the commands and figures.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Console harnesses that need real servers run outside BenchmarkDotNet's process model.
        if (args.Length > 0 && args[0] == "influx-ingest")
        {
            return await InfluxIngestHarness.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
