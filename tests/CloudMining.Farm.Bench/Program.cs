using BenchmarkDotNet.Running;

namespace CloudMining.Farm.Bench;

/// <summary>Benchmarks entry point; see docs/benchmarks.md for the commands and figures.</summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
