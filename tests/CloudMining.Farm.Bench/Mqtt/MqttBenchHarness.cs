using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;

namespace CloudMining.Farm.Bench.Mqtt;

/// <summary>
/// Publish throughput (QoS 0 and 1, 1 KB payloads) and paced end-to-end latency for our client, the mosquitto C
/// client (mosquitto_pub/sub) and python paho, against one mosquitto in one run. See docs/benchmarks.md, "MQTT".
/// </summary>
internal static class MqttBenchHarness
{
    private const int PayloadSize = 1024;
    private const string Python = "/usr/bin/python3";

    // mosquitto_pub -l ends when the PUBACK of the LAST packet identifier arrives; identifiers wrap at 65,535, so with
    // more lines than that it disconnects at the first message that shares the last one's identifier and silently
    // drops the rest (100,000 lines reach the broker as ~35,000). Larger counts are split into runs this size.
    private const int MosquittoPubMaxLines = 50_000;

    public static async Task<int> RunAsync(string[] args)
    {
        int qos0Count = Option(args, "--qos0", 200_000);
        int qos1Count = Option(args, "--qos1", 100_000);
        int latencyCount = Option(args, "--latency", 2_000);
        int rate = Option(args, "--rate", 2_000);
        int rounds = Option(args, "--rounds", 3);
        string script = Path.Combine(FindRoot(), "tests", "bench-scripts", "paho_tool.py");
        await using BenchBroker broker = await BenchBroker.StartAsync();
        await using BrokerPublishCounter counter = await BrokerPublishCounter.StartAsync(broker);
        Console.WriteLine($"mosquitto on 127.0.0.1:{broker.Port}; payload {PayloadSize} B; QoS 0 n={qos0Count}, QoS 1 n={qos1Count}; {rounds} rounds; latency n={latencyCount} at {rate}/s QoS 1");

        // Warm-up (JIT tiering) for the .NET client; the agent is a long-running process, so steady state is what counts.
        await OursThroughputAsync(broker, 20_000, MqttQualityOfServiceLevel.AtMostOnce);
        await OursThroughputAsync(broker, 20_000, MqttQualityOfServiceLevel.AtLeastOnce);
        await counter.WaitForAsync(2 * (20_000 + 1));
        if (args.Contains("--ours-only"))
        {
            for (int round = 1; round <= rounds; round++)
            {
                Console.WriteLine($"round {round}, load {LoadAverage()}");
                Measured q0 = await MeasureAsync(counter, qos0Count + 1, () => OursThroughputAsync(broker, qos0Count, MqttQualityOfServiceLevel.AtMostOnce));
                Console.WriteLine($"  ours QoS 0: {Rate(q0.Rate)} msg/s{q0.Note}");
                Measured q1 = await MeasureAsync(counter, qos1Count + 1, () => OursThroughputAsync(broker, qos1Count, MqttQualityOfServiceLevel.AtLeastOnce));
                Console.WriteLine($"  ours QoS 1: {Rate(q1.Rate)} msg/s{q1.Note}");
            }

            return 0;
        }

        string lines = Path.Combine(Path.GetTempPath(), $"farm-bench-lines-{Environment.ProcessId}.txt");
        await File.WriteAllTextAsync(lines, string.Concat(Enumerable.Repeat(new string('y', PayloadSize) + "\n", Math.Max(qos0Count, qos1Count))));
        try
        {
            return await RunAllAsync(broker, counter, script, lines, qos0Count, qos1Count, latencyCount, rate, rounds);
        }
        finally
        {
            File.Delete(lines);
        }
    }

    private static async Task<int> RunAllAsync(BenchBroker broker, BrokerPublishCounter counter, string script, string lines, int qos0Count, int qos1Count, int latencyCount, int rate, int rounds)
    {
        // [client, qos] -> one rate per round. Interleaved (ours, C, paho, ours, C, ...) so a burst of load from
        // elsewhere on the machine hits every client alike rather than one client's whole series.
        var rates = new List<double>[3, 2];
        for (int c = 0; c < 3; c++)
        {
            rates[c, 0] = [];
            rates[c, 1] = [];
        }

        long settled = counter.Received;
        TimeSpan[] fixedCost = [await MosquittoPubFixedCostAsync(broker, lines, 0), await MosquittoPubFixedCostAsync(broker, lines, 1)];
        // Nothing was published, but the counter must be settled before the first measurement either way.
        await counter.WaitForAsync(settled);
        Console.WriteLine($"mosquitto_pub fixed cost per run (median of 5 runs with empty stdin): QoS 0 {fixedCost[0].TotalMilliseconds:F0} ms, QoS 1 {fixedCost[1].TotalMilliseconds:F0} ms");
        bool allDelivered = true;
        for (int round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"round {round}, load average {LoadAverage()}");
            foreach ((int qos, int count) in new[] { (0, qos0Count), (1, qos1Count) })
            {
                var level = (MqttQualityOfServiceLevel)qos;
                Measured ours = await MeasureAsync(counter, count + 1, () => OursThroughputAsync(broker, count, level));
                Measured c = await MeasureAsync(counter, count, () => MosquittoPubThroughputAsync(broker, lines, count, qos, fixedCost[qos]));
                Measured paho = await MeasureAsync(counter, qos == 0 ? count + 1 : count, async () => ParseRate(await RunAsync(Python, script, "bench", "127.0.0.1", broker.PortText, "bench/paho", Text(count), Text(PayloadSize), Text(qos))));
                rates[0, qos].Add(ours.Rate);
                rates[1, qos].Add(c.Rate);
                rates[2, qos].Add(paho.Rate);
                allDelivered &= ours.Delivered && c.Delivered && paho.Delivered;
                Console.WriteLine($"  QoS {qos}: ours {Rate(ours.Rate)}{ours.Note}, C {Rate(c.Rate)}{c.Note}, paho {Rate(paho.Rate)}{paho.Note} msg/s; ours/C {ours.Rate / c.Rate:F2}x; load {LoadAverage()}");
            }
        }

        (double p50, double p99) oursLat = await OursLatencyAsync(broker, latencyCount, rate);
        (double p50, double p99) cLat = await MosquittoLatencyAsync(broker, latencyCount, rate);
        string pahoLatency = await RunAsync(Python, script, "latency", "127.0.0.1", broker.PortText, "bench/paho-lat", Text(latencyCount), Text(PayloadSize), "1", Text(rate));
        string[] lat = pahoLatency.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        (double p50, double p99) pahoLat = (double.Parse(lat[1], CultureInfo.InvariantCulture), double.Parse(lat[3], CultureInfo.InvariantCulture));

        double Med(int client, int qos) => Median(rates[client, qos]);
        var rows = new List<string[]>
        {
            new[] { "CloudMining.Farm.Mqtt (.NET)", Rate(Med(0, 0)), Rate(Med(0, 1)), Micro(oursLat.p50), Micro(oursLat.p99) },
            new[] { "mosquitto_pub/sub 2.0.11 (C libmosquitto)", Rate(Med(1, 0)), Rate(Med(1, 1)), Micro(cLat.p50), Micro(cLat.p99) },
            new[] { "paho-mqtt 1.6.1 (python3)", Rate(Med(2, 0)), Rate(Med(2, 1)), Micro(pahoLat.p50), Micro(pahoLat.p99) },
        };
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Median of {rounds} interleaved rounds; load average at the end {LoadAverage()}.");
        table.AppendLine();
        table.AppendLine("| client | QoS 0 msg/s | QoS 1 msg/s | latency p50 (QoS 1) | latency p99 (QoS 1) |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (string[] row in rows)
        {
            table.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"Ours vs C: QoS 0 {Med(0, 0) / Med(1, 0):F2}x, QoS 1 {Med(0, 1) / Med(1, 1):F2}x; ours vs paho: QoS 0 {Med(0, 0) / Med(2, 0):F2}x, QoS 1 {Med(0, 1) / Med(2, 1):F2}x.");
        if (!allDelivered)
        {
            table.AppendLine("WARNING: some run delivered fewer messages to the broker than it claims (marked above); its rate is not comparable.");
        }

        Console.WriteLine();
        Console.WriteLine(table.ToString());
        return allDelivered ? 0 : 1;
    }

    /// <summary>A throughput figure and whether the broker really received every message it stands for.</summary>
    private readonly record struct Measured(double Rate, bool Delivered, string Note);

    // Runs one client and checks the broker's own PUBLISH count rose by exactly the messages the client claims.
    private static async Task<Measured> MeasureAsync(BrokerPublishCounter counter, int expected, Func<Task<double>> run)
    {
        long before = counter.Received;
        double rate = await run();
        long after = await counter.WaitForAsync(before + expected);
        long got = after - before;
        return got == expected
            ? new Measured(rate, true, string.Empty)
            : new Measured(rate, false, $" (BROKER GOT {got:N0} OF {expected:N0})");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" on {Environment.ProcessorCount} cores" : "n/a";

    // QoS 1: keep the in-flight window full and wait for the last PUBACK. QoS 0: there is no acknowledgement, so a
    // QoS 1 "fence" published after the batch is awaited: the broker acks it only after reading everything before it.
    private static async Task<double> OursThroughputAsync(BenchBroker broker, int count, MqttQualityOfServiceLevel qos)
    {
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("ours-" + (int)qos).WithMaxInflight(1024).Build());
        await client.ConnectAsync();
        var message = new MqttApplicationMessage { Topic = "bench/ours", Payload = new byte[PayloadSize], Qos = qos };
        var window = new Queue<Task>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            Task sent = client.PublishAsync(message);
            if (!sent.IsCompletedSuccessfully)
            {
                window.Enqueue(sent);
                if (window.Count >= 1024)
                {
                    await window.Dequeue();
                }
            }
        }

        await Task.WhenAll(window);
        await client.PublishAsync(new MqttApplicationMessage { Topic = "bench/ours", Payload = "fence"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce });
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(double P50, double P99)> OursLatencyAsync(BenchBroker broker, int count, int rate)
    {
        var samples = new List<double>(count);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscriber = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("ours-lat-sub").Build());
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            long sent = BitConverter.ToInt64(e.ApplicationMessage.Payload.Span);
            lock (samples)
            {
                samples.Add(Stopwatch.GetElapsedTime(sent).TotalMicroseconds);
                if (samples.Count == count)
                {
                    all.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync("bench/ours-lat");
        await using var publisher = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("ours-lat-pub").Build());
        await publisher.ConnectAsync();
        // The pacing loop spins, so it gets its own thread: spinning on a thread-pool thread would starve the
        // client's own I/O continuations on a 2-core machine and measure the harness instead of the client.
        var pending = new List<Task>(count);
        await Task.Factory.StartNew(
            () =>
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < count; i++)
                {
                    SpinUntil(start, i, rate);
                    byte[] payload = new byte[PayloadSize];
                    BitConverter.TryWriteBytes(payload, Stopwatch.GetTimestamp());
                    pending.Add(publisher.PublishAsync(new MqttApplicationMessage { Topic = "bench/ours-lat", Payload = payload }));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await Task.WhenAll(pending);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return Percentiles(samples);
    }

    // At QoS 1 the lines are split into mosquitto_pub runs of at most MosquittoPubMaxLines (see there; QoS 0 is not
    // affected and runs in one process). Each run's idle fixed cost is taken off, as our client's clock also starts
    // after connecting: process start, connect, and the ~100 ms sleep of mosquitto_pub's line-mode polling loop
    // while it waits for CONNACK (`strace -f -tt`). A run with empty stdin is exactly that (MosquittoPubFixedCostAsync).
    // Its second ~100 ms sleep, after stdin's end, overlaps the streaming in a long run, so it is not taken off.
    private static async Task<double> MosquittoPubThroughputAsync(BenchBroker broker, string lines, int count, int qos, TimeSpan fixedCost)
    {
        var clock = Stopwatch.StartNew();
        int runs = 0;
        for (int done = 0; done < count; runs++)
        {
            int chunk = qos == 0 ? count : Math.Min(MosquittoPubMaxLines, count - done);
            await MosquittoPubAsync(broker, lines, chunk, qos);
            done += chunk;
        }

        TimeSpan raw = clock.Elapsed;
        TimeSpan net = raw - (runs * fixedCost);
        Console.WriteLine($"    C QoS {qos}: {runs} run(s) in {raw.TotalSeconds:F2} s, less {runs} x {fixedCost.TotalMilliseconds:F0} ms fixed = {net.TotalSeconds:F2} s (raw rate {Rate(count / raw.TotalSeconds)} msg/s)");
        return count / net.TotalSeconds;
    }

    /// <summary>Median wall time of five mosquitto_pub runs with empty stdin: what a run costs besides streaming.</summary>
    private static async Task<TimeSpan> MosquittoPubFixedCostAsync(BenchBroker broker, string lines, int qos)
    {
        var times = new List<TimeSpan>();
        for (int i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            await MosquittoPubAsync(broker, lines, 0, qos);
            times.Add(clock.Elapsed);
        }

        return times.Order().ElementAt(2);
    }

    // Every line is the same payload, so each run simply takes the first count lines; count 0 = empty stdin.
    private static Task<string> MosquittoPubAsync(BenchBroker broker, string lines, int count, int qos) =>
        RunAsync("bash", "-c", (count == 0 ? "true" : $"head -n {count} '{lines}'") + $" | mosquitto_pub -h 127.0.0.1 -p {broker.Port} -t bench/c -l -q {qos} -M 1024");

    // mosquitto_pub reads paced lines (each starting with the send timestamp) from our pipe; mosquitto_sub prints each
    // payload; we stamp the receive time when its line arrives. Both pipe hops are inside the measured path.
    private static async Task<(double P50, double P99)> MosquittoLatencyAsync(BenchBroker broker, int count, int rate)
    {
        using Process sub = Process.Start(new ProcessStartInfo("mosquitto_sub", ["-h", "127.0.0.1", "-p", broker.PortText, "-t", "bench/c-lat", "-q", "1", "-C", Text(count), "-F", "%p"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var samples = new List<double>(count);
        Task reader = Task.Run(async () =>
        {
            while (await sub.StandardOutput.ReadLineAsync() is { } line)
            {
                long now = Stopwatch.GetTimestamp();
                long sent = long.Parse(line.AsSpan(0, 20), CultureInfo.InvariantCulture);
                samples.Add(Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds);
            }
        });

        // mosquitto_sub prints nothing when its SUBACK arrives; give it half a second to subscribe (a benchmark, not a test).
        await Task.Delay(500);
        using Process pub = Process.Start(new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", broker.PortText, "-t", "bench/c-lat", "-l", "-q", "1"]) { RedirectStandardInput = true, UseShellExecute = false })!;
        string padding = new('y', PayloadSize - 21);
        StreamWriter input = pub.StandardInput;
        await Task.Factory.StartNew(
            () =>
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < count; i++)
                {
                    SpinUntil(start, i, rate);
                    input.WriteLine(Stopwatch.GetTimestamp().ToString("D20", CultureInfo.InvariantCulture) + " " + padding);
                    input.Flush();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        pub.StandardInput.Close();
        await reader.WaitAsync(TimeSpan.FromSeconds(60));
        await pub.WaitForExitAsync();
        return Percentiles(samples);
    }

    private static void SpinUntil(long start, int index, int rate)
    {
        long due = start + (long)(index * (double)Stopwatch.Frequency / rate);
        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.SpinWait(20);
        }
    }

    private static (double P50, double P99) Percentiles(List<double> samples)
    {
        samples.Sort();
        return (samples[(int)(samples.Count * 0.50)], samples[Math.Min(samples.Count - 1, (int)(samples.Count * 0.99))]);
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        using Process process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? (await output).Trim() : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await errors}");
    }

    private static double ParseRate(string output) => double.Parse(output.Split(' ')[1], CultureInfo.InvariantCulture);

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Rate(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Micro(double value) => value >= 1000 ? (value / 1000).ToString("F2", CultureInfo.InvariantCulture) + " ms" : value.ToString("F0", CultureInfo.InvariantCulture) + " µs";

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CloudMining.Farm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the checkout.");
    }
}
