using BenchmarkDotNet.Running;

namespace CloudMining.Farm.Bench;

/// <summary>Benchmarks entry point; see docs/benchmarks.md for the commands and figures.</summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["throughput", ..])
        {
            DecodeThroughput.Run(Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
