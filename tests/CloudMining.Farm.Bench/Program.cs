using BenchmarkDotNet.Running;
using CloudMining.Farm.Bench.Influx;
using CloudMining.Farm.Bench.Mqtt;
using CloudMining.Farm.Bench.Polling;

namespace CloudMining.Farm.Bench;

/// <summary>Benchmarks entry point; see docs/benchmarks.md for the commands and figures.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["throughput", ..])
        {
            DecodeThroughput.Run(Console.Out);
            return 0;
        }

        // `poll` is a whole-system harness (separate simulator process, real sockets), not a BenchmarkDotNet micro-benchmark.
        if (args is ["poll", ..])
        {
            return await PollBenchmark.RunAsync(args[1..]);
        }

        // Network throughput needs a live broker and other clients in one run, which BenchmarkDotNet's
        // per-method process model fits poorly; "mqtt" runs the dedicated harness instead.
        if (args is ["mqtt", ..])
        {
            return await MqttBenchHarness.RunAsync(args[1..]);
        }

        // Console harnesses that need real servers run outside BenchmarkDotNet's process model.
        if (args is ["influx-ingest", ..])
        {
            return await InfluxIngestHarness.RunAsync(args[1..]);
        }

        // The controller's telemetry ingest rate (issue 5: >= 50,000 messages/s), in-process and optionally through mosquitto.
        if (args is ["controller-ingest", ..])
        {
            return await Controller.ControllerIngestHarness.RunAsync(args[1..]);
        }

        // The real farm-agent binary (any build) as a whole process against N simulated miners, measured from /proc.
        if (args is ["agent-process", ..])
        {
            return await AgentProcess.AgentProcessBenchmark.RunAsync(args[1..]);
        }

        // Issue 15's soak: synthetic rack batches of N miners through mosquitto into the real controller on PostgreSQL.
        if (args is ["soak", ..])
        {
            return await Soak.SoakHarness.RunAsync(args[1..]);
        }

        // The soak's synthetic agents, started by `soak` as a process of their own.
        if (args is ["soak-publish", ..])
        {
            return await Soak.SoakPublisher.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
