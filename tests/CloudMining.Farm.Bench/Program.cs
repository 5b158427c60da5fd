using BenchmarkDotNet.Running;
using CloudMining.Farm.Bench.Mqtt;

namespace CloudMining.Farm.Bench;

/// <summary>Benchmarks entry point; see docs/benchmarks.md for the commands and figures.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Network throughput needs a live broker and other clients in one run, which BenchmarkDotNet's
        // per-method process model fits poorly; "mqtt" runs the dedicated harness instead.
        if (args.Length > 0 && args[0] == "mqtt")
        {
            return await MqttBenchHarness.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
