using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Bench.Soak;

/// <summary>
/// <c>soak-publish --port P --miners N --cycles C [--cycle-s S] [--rack-size K] [--site ID]</c>: the synthetic agents of
/// the soak, in a process of their own so the controller's memory and CPU are measured without them. Every cycle each
/// rack's readings go out as the agents send them at scale: <see cref="TelemetryBatchPayload.From"/> (the public builder,
/// whatever the batch's wire form), serialized as the agent's link does, published at QoS 1 (the agents' default). It
/// writes one line per event on stdout for <see cref="SoakHarness"/>: "cycle K start T", "cycle K sent READINGS BATCHES T"
/// (T: <see cref="Stopwatch.GetTimestamp"/>, CLOCK_MONOTONIC, the same clock in both processes) and "done".
/// </summary>
internal static class SoakPublisher
{
    private const int Window = 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        int port = 0;
        int miners = 100_000;
        int cycles = 60;
        double cycleSeconds = 10;
        int rackSize = 40;
        string site = "s1";
        for (int i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--miners": miners = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--cycles": cycles = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--cycle-s": cycleSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rack-size": rackSize = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--site": site = args[i + 1]; break;
            }
        }

        if (port <= 0)
        {
            await Console.Error.WriteLineAsync("soak-publish: --port (the broker's) is required.");
            return 2;
        }

        int racks = (miners + rackSize - 1) / rackSize;
        MinerTelemetryPayload[][] templates = [.. Enumerable.Range(0, racks).Select(r => Enumerable.Range(r * rackSize, Math.Min(rackSize, miners - (r * rackSize))).Select(m => SoakReadings.Miner(site, RackId(r), m)).ToArray())];
        string[] topics = [.. Enumerable.Range(0, racks).Select(r => FarmTopics.TelemetryBatch(site, RackId(r)))];
        long[] seq = new long[racks];
        JsonTypeInfo typeInfo = FarmJsonContext.Default.GetTypeInfo(typeof(TelemetryBatchPayload))
            ?? throw new InvalidOperationException("FarmJsonContext has no contract for TelemetryBatchPayload.");

        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("soak-agents").WithMaxInflight(Window).Build());
        await client.ConnectAsync();
        Console.WriteLine("ready");

        long readings = 0;
        long batches = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(cycleSeconds));
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            // The cycle's cadence is the workload itself (agents poll every cycle), not a wait for something to happen.
            if (cycle > 0)
            {
                await timer.WaitForNextTickAsync();
            }

            Console.WriteLine($"cycle {cycle.ToString(CultureInfo.InvariantCulture)} start {Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)}");
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var pending = new Queue<Task>(Window);
            for (int r = 0; r < racks; r++)
            {
                int rack = r;
                MinerTelemetryPayload[] rackReadings = [.. templates[r].Select(t => SoakReadings.Advance(t, cycle, now))];
                foreach (TelemetryBatchPayload batch in TelemetryBatchPayload.From(rackReadings, site, RackId(r), "agent-" + site + "-" + RackId(r), now).Select(b => b with { Seq = ++seq[rack] }))
                {
                    pending.Enqueue(client.PublishAsync(new MqttApplicationMessage
                    {
                        Topic = topics[r],
                        Payload = JsonSerializer.SerializeToUtf8Bytes(batch, typeInfo),
                        Qos = MqttQualityOfServiceLevel.AtLeastOnce,
                    }));
                    batches++;
                    if (pending.Count >= Window)
                    {
                        await pending.Dequeue();
                    }
                }

                readings += rackReadings.Length;
            }

            await Task.WhenAll(pending);
            Console.WriteLine($"cycle {cycle.ToString(CultureInfo.InvariantCulture)} sent {readings.ToString(CultureInfo.InvariantCulture)} {batches.ToString(CultureInfo.InvariantCulture)} {Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)}");
        }

        Console.WriteLine("done");
        return 0;
    }

    private static string RackId(int rack) => "r" + rack.ToString("0000", CultureInfo.InvariantCulture);
}
