using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CloudMining.Farm.Bench.Mqtt;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CloudMining.Farm.Bench.Soak;

/// <summary>
/// <c>soak [--miners N] [--minutes M] [--store postgres|sqlite] [--rack-size K] [--cycle-s S] [--drain-s D] [--proof-window-min P] [--warmup-min W]</c> (issue 15's soak):
/// synthetic telemetry of N miners, one rack batch per K miners every S seconds, through a private mosquitto into the
/// real controller (<see cref="ControllerHost"/>: ingest, engine, store on a private PostgreSQL started like the tests'
/// fixture) in this process; the agents are a child process (<see cref="SoakPublisher"/>), so the memory measured is
/// the controller's. Every minute: readings sent and folded (the controller's own counter,
/// <see cref="TelemetryBatchFold.Readings"/>), the live managed heap after a full collection, RSS, and the cycle lag (from
/// the start of a cycle's publishing to the moment the controller has folded every reading sent so far). At the end a
/// memory verdict (<see cref="MemoryVerdict"/>) over the minutes after the warm-up.
/// </summary>
internal static class SoakHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int miners = 100_000;
        double minutes = 10;
        string storeKind = "postgres";
        int rackSize = 40;
        double cycleSeconds = 10;
        double drainSeconds = 60;
        double? proofWindowMinutes = null;
        double? warmupMinutes = null;
        for (int i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--miners": miners = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--minutes": minutes = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--store": storeKind = args[i + 1]; break;
                case "--rack-size": rackSize = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--cycle-s": cycleSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--drain-s": drainSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--proof-window-min": proofWindowMinutes = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--warmup-min": warmupMinutes = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            }
        }

        if (storeKind is not ("postgres" or "sqlite"))
        {
            await Console.Error.WriteLineAsync($"soak: --store {storeKind} is not a store; write postgres or sqlite.");
            return 2;
        }

        int cycles = (int)Math.Round(minutes * 60 / cycleSeconds);
        string folder = Directory.CreateTempSubdirectory("farm-soak-").FullName;
        PostgreSqlServer? postgres = null;
        try
        {
            JsonObject store = new() { ["Provider"] = "sqlite" };
            if (storeKind == "postgres")
            {
                if (PostgreSqlServer.SkipReason is { } missing)
                {
                    await Console.Error.WriteLineAsync("soak: " + missing);
                    return 2;
                }

                postgres = await PostgreSqlServer.StartAsync();
                store = new JsonObject { ["Provider"] = "postgresql", ["ConnectionString"] = postgres.ConnectionString(await postgres.CreateDatabaseAsync("soak")) };
            }

            await using BenchBroker broker = await BenchBroker.StartAsync();
            string config = Path.Combine(folder, "controller.json");
            await File.WriteAllTextAsync(config, new JsonObject
            {
                ["Controller"] = new JsonObject
                {
                    ["Site"] = "s1",
                    ["Database"] = Path.Combine(folder, "controller.db"),
                    ["Store"] = store,
                    ["Mqtt"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = broker.Port, ["ClientId"] = "soak-controller" },
                    ["Engine"] = Engine(cycleSeconds, proofWindowMinutes),
                },
                ["Influx"] = new JsonObject { ["Enabled"] = false },
                ["Serilog"] = new JsonObject { ["MinimumLevel"] = new JsonObject { ["Default"] = "Warning" } },
            }.ToJsonString());

            ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(config));
            await using IControllerStore controllerStore = await ControllerStores.OpenAsync(settings.Store, CancellationToken.None);
            using IHost host = ControllerHost.Build(settings, controllerStore);
            await host.StartAsync();
            IngestService ingest = host.Services.GetRequiredService<IngestService>();
            await ingest.Subscribed;

            // Warm-up, left out of the memory verdict: the miners' probation (no allocation before it ends, then the first
            // allocation and every rack's desired state) and the proof window filling (the delivery meter keeps one
            // window of work per miner's pool counter), each plus a minute; at least the first half of the run.
            EngineDurations durations = settings.Controller.Engine.Durations();
            double warmup = warmupMinutes ?? Math.Ceiling(Math.Max(durations.ProbationPeriod.TotalMinutes, durations.ProofWindow.TotalMinutes) + 1);
            Console.WriteLine($"soak: {miners:N0} miners in racks of {rackSize} ({(miners + rackSize - 1) / rackSize:N0} batches a cycle), a cycle every {cycleSeconds:0.#} s for {minutes:0.#} min ({cycles} cycles), controller on {storeKind}, mosquitto on port {broker.PortText}; {Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
            Console.WriteLine($"soak: warm-up {warmup:0.#} min (probation {durations.ProbationPeriod.TotalMinutes:0.#} min then the first allocation, proof window {durations.ProofWindow.TotalMinutes:0.#} min, each + 1 min), left out of the memory verdict with the first half of the run");
            int code = await MeasureAsync(ingest, host.Services.GetRequiredService<DesiredStatePublisher>(), host.Services.GetRequiredService<DeliveryProof>(), broker, miners, cycles, cycleSeconds, rackSize, TimeSpan.FromSeconds(drainSeconds), warmup);
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stopping.Token);
            return code;
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static readonly TimeSpan HeapSampleEvery = TimeSpan.FromSeconds(15);

    private static JsonObject Engine(double cycleSeconds, double? proofWindowMinutes)
    {
        var engine = new JsonObject { ["IntervalS"] = cycleSeconds, ["HousePoolUrl"] = "stratum+tcp://house.pool.soak:3333", ["HouseWorker"] = "op.house" };
        if (proofWindowMinutes is { } window)
        {
            engine["ProofWindowMin"] = window;
        }

        return engine;
    }

    private static async Task<int> MeasureAsync(
        IngestService ingest, DesiredStatePublisher desired, DeliveryProof proof, BenchBroker broker, int miners, int cycles, double cycleSeconds, int rackSize, TimeSpan drainTime, double warmupMinutes)
    {
        var lines = new ConcurrentQueue<string>();
        using Process publisher = StartPublisher(broker.Port, miners, cycles, cycleSeconds, rackSize, lines);
        var cycleStart = new Dictionary<int, long>();
        var cycleSent = new Dictionary<int, (long Readings, long Ticks)>();
        var cycleLag = new Dictionary<int, TimeSpan>();
        long sent = 0;
        long batchesSent = 0;
        bool done = false;
        long? firstStart = null;
        int minute = 0;
        var rows = new List<MinuteRow>();
        using Process self = Process.GetCurrentProcess();
        var mark = new CpuMark(self.TotalProcessorTime, broker.CpuTime, Stopwatch.GetTimestamp());
        var total = Stopwatch.StartNew();
        TimeSpan limit = TimeSpan.FromSeconds(cycles * cycleSeconds) + drainTime + TimeSpan.FromSeconds(60);
        Stopwatch? drain = null;
        TimeSpan? firstDesired = null;

        // The live heap after a full collection, sampled four times a minute; a minute's row reports the lowest (its
        // floor: what the controller keeps, without the batches and the engine tick's snapshot that happen to be in
        // flight at one sample, ±10 MB at 20,000 miners). The verdict fits the floors.
        long heapFloor = long.MaxValue;
        long heapSampled = Stopwatch.GetTimestamp();
        while (total.Elapsed < limit)
        {
            // After the last cycle: until every cycle is folded, or the drain time is up (readings lost).
            if (done && (cycleLag.Count == cycleSent.Count || (drain ??= Stopwatch.StartNew()).Elapsed > drainTime))
            {
                break;
            }

            // Sampling the counter is the measurement (the lag's resolution), not synchronisation.
            await Task.Delay(5);
            while (lines.TryDequeue(out string? line))
            {
                string[] f = line.Split(' ');
                switch (f)
                {
                    case ["cycle", var k, "start", var t]:
                        cycleStart[int.Parse(k, CultureInfo.InvariantCulture)] = long.Parse(t, CultureInfo.InvariantCulture);
                        firstStart ??= long.Parse(t, CultureInfo.InvariantCulture);
                        break;
                    case ["cycle", var k, "sent", var r, var b, var t]:
                        sent = long.Parse(r, CultureInfo.InvariantCulture);
                        batchesSent = long.Parse(b, CultureInfo.InvariantCulture);
                        cycleSent[int.Parse(k, CultureInfo.InvariantCulture)] = (sent, long.Parse(t, CultureInfo.InvariantCulture));
                        break;
                    case ["done"]:
                        done = true;
                        drain = Stopwatch.StartNew();
                        Console.WriteLine($"soak: the publisher is done ({sent:N0} readings sent); the controller has folded {ingest.Batches.Readings:N0}");
                        break;
                }
            }

            if (publisher.HasExited && !done)
            {
                // Its last lines may still be on their way through the redirected output: WaitForExit flushes them.
                await publisher.WaitForExitAsync();
                if (!lines.Contains("done"))
                {
                    await Console.Error.WriteLineAsync($"soak: the publisher exited {publisher.ExitCode} before it was done.");
                    return 1;
                }

                continue;
            }

            long folded = ingest.Batches.Readings;
            long now = Stopwatch.GetTimestamp();
            if (firstDesired is null && firstStart is { } begun && desired.Tracker.All().Count > 0)
            {
                firstDesired = Stopwatch.GetElapsedTime(begun, now);
                Console.WriteLine($"soak: the first allocation published desired state at {firstDesired.Value.TotalMinutes:0.0} min");
            }

            foreach ((int k, (long readings, _)) in cycleSent)
            {
                if (!cycleLag.ContainsKey(k) && folded >= readings)
                {
                    cycleLag[k] = Stopwatch.GetElapsedTime(cycleStart[k], now);
                }
            }

            if (Stopwatch.GetElapsedTime(heapSampled, now) >= HeapSampleEvery)
            {
                heapFloor = Math.Min(heapFloor, GC.GetTotalMemory(forceFullCollection: true));
                heapSampled = Stopwatch.GetTimestamp();
            }

            if (firstStart is { } origin && Stopwatch.GetElapsedTime(origin, now) >= TimeSpan.FromMinutes(minute + 1))
            {
                minute++;
                rows.Add(Row(minute, ingest, proof, sent, folded, cycleStart, cycleSent, cycleLag, origin, self, broker, mark, heapFloor));
                heapFloor = long.MaxValue;
                Console.WriteLine(rows[^1].Text);
            }
        }

        long finalFolded = ingest.Batches.Readings;
        long rejected = ingest.Batches.Rejected;
        rows.Add(Row(minute + 1, ingest, proof, sent, finalFolded, cycleStart, cycleSent, cycleLag, firstStart ?? 0, self, broker, mark, heapFloor));
        Console.WriteLine(rows[^1].Text.Replace("minute", "end   ", StringComparison.Ordinal));

        // What the end sample is: the same live heap measured again once nothing is in flight. Four samples 5 s apart
        // (the sampling cadence of this measurement, not synchronisation), the lowest reported beside the end row's.
        long idleFloor = long.MaxValue;
        for (int i = 0; i < 4; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            idleFloor = Math.Min(idleFloor, GC.GetTotalMemory(forceFullCollection: true));
        }

        Console.WriteLine($"soak: live heap once idle (20 s after the end row, lowest of four full-GC samples): {Mb(idleFloor)}, against {Mb(rows[^1].LiveHeap)} at the end row and {(rows.Count > 1 ? Mb(rows[^2].HeapFloor) : "-")} in the last whole minute");

        // The fleet's own count, bounded: a controller that stopped folding must not hang the report.
        int fleetMiners = -1;
        try
        {
            fleetMiners = await Task.Run(() => ingest.Fleet.Racks().Sum(r => r.Miners.Count)).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Console.WriteLine("soak: the fleet state did not answer within 30 s");
        }

        var lags = cycleLag.Values.Order().ToList();
        var publishTimes = cycleSent.Select(kv => Stopwatch.GetElapsedTime(cycleStart[kv.Key], kv.Value.Ticks)).Order().ToList();
        Console.WriteLine($"soak: sent {sent:N0} readings in {batchesSent:N0} batches over {cycleSent.Count} cycles; the controller folded {finalFolded:N0}, rejected {rejected:N0}, not folded {drainTime.TotalSeconds:0} s after the last cycle {sent - finalFolded - rejected:N0}; its fleet holds {fleetMiners:N0} miners");
        if (lags.Count > 0)
        {
            Console.WriteLine($"soak: cycle lag (publish start to last reading folded) over {lags.Count} cycles: median {Seconds(lags[lags.Count / 2])}, p95 {Seconds(lags[Math.Min(lags.Count - 1, (int)(lags.Count * 0.95))])}, max {Seconds(lags[^1])}; publishing a cycle took median {Seconds(publishTimes[publishTimes.Count / 2])}, max {Seconds(publishTimes[^1])}");
        }

        if (rows.Count >= 4)
        {
            // The last whole minute, not the end row (see the verdict below).
            MinuteRow second = rows[1];
            MinuteRow last = rows[^2];
            Console.WriteLine($"soak: memory from minute 2 to minute {last.Minute}: live heap {Mb(second.LiveHeap)} -> {Mb(last.LiveHeap)} ({Percent(second.LiveHeap, last.LiveHeap)}), RSS {Mb(second.Rss)} -> {Mb(last.Rss)} ({Percent(second.Rss, last.Rss)}); max over the run: live heap {Mb(rows.Max(r => r.LiveHeap))}, RSS {Mb(rows.Max(r => r.Rss))}");
        }

        // The end row is left out of the verdict: it is not measured like a minute row. It covers only the part of a minute
        // since the last row (its floor is the lowest of zero to three samples plus its own, not of four), and it is taken
        // the moment the last cycle is folded, when that cycle's batches are still live: one sample at the peak of the
        // in-flight memory, not a floor (at 100,000 miners it read 331 MB against minute floors of 262-277 MB).
        MemoryVerdict verdict = MemoryVerdict.Of(rows.GetRange(0, rows.Count - 1), warmupMinutes, firstDesired);
        Console.WriteLine("soak: " + verdict.Text);

        Console.WriteLine($"soak: load average at the end {LoadAverage()}");
        var problems = new List<string>();
        if (sent != finalFolded || rejected != 0 || cycleSent.Count != cycles)
        {
            problems.Add($"{sent - finalFolded:N0} of {sent:N0} readings not folded, {rejected:N0} rejected, {cycleSent.Count} of {cycles} cycles published");
        }

        if (fleetMiners != miners)
        {
            problems.Add(fleetMiners < 0 ? "the fleet state did not answer (FleetState.Racks)" : $"the fleet holds {fleetMiners:N0} miners, not {miners:N0}");
        }

        if (verdict.Growing)
        {
            problems.Add("memory is not flat after the warm-up");
        }

        bool complete = problems.Count == 0;
        if (!complete)
        {
            await Console.Error.WriteLineAsync("soak: " + string.Join("; ", problems));
        }

        await publisher.WaitForExitAsync();
        return complete ? 0 : 1;
    }

    private static MinuteRow Row(
        int minute, IngestService ingest, DeliveryProof proof, long sent, long folded, Dictionary<int, long> starts, Dictionary<int, (long Readings, long Ticks)> sents, Dictionary<int, TimeSpan> lags, long origin,
        Process self, BenchBroker broker, CpuMark mark, long heapFloor)
    {
        // This minute's cycles: those that started in it.
        int[] mine = [.. starts.Where(kv => Stopwatch.GetElapsedTime(origin, kv.Value) >= TimeSpan.FromMinutes(minute - 1) && Stopwatch.GetElapsedTime(origin, kv.Value) < TimeSpan.FromMinutes(minute)).Select(kv => kv.Key)];
        var minuteLags = mine.Where(lags.ContainsKey).Select(k => lags[k]).Order().ToList();
        var publish = mine.Where(sents.ContainsKey).Select(k => Stopwatch.GetElapsedTime(starts[k], sents[k].Ticks)).Order().ToList();
        int waiting = mine.Count(k => !lags.ContainsKey(k));
        long liveHeap = GC.GetTotalMemory(forceFullCollection: true);
        long floor = Math.Min(heapFloor, liveHeap);
        long rss = Rss();
        self.Refresh();
        long now = Stopwatch.GetTimestamp();
        double wall = Stopwatch.GetElapsedTime(mark.Ticks, now).TotalSeconds;
        double cpu = (self.TotalProcessorTime - mark.Controller).TotalSeconds / wall;
        double brokerCpu = (broker.CpuTime - mark.Broker).TotalSeconds / wall;
        (mark.Controller, mark.Broker, mark.Ticks) = (self.TotalProcessorTime, broker.CpuTime, now);
        string lagText = minuteLags.Count == 0 ? "-" : $"median {Seconds(minuteLags[minuteLags.Count / 2])} max {Seconds(minuteLags[^1])}";
        string text = string.Create(CultureInfo.InvariantCulture,
            $"minute {minute,2}: sent {sent,11:N0} folded {folded,11:N0} (behind {sent - folded,7:N0}) rejected {ingest.Batches.Rejected} | cycles {mine.Length} lag {lagText}{(waiting > 0 ? $" ({waiting} not yet folded)" : "")}, publish {(publish.Count == 0 ? "-" : Seconds(publish[^1]))} | live heap {Mb(liveHeap)} floor {Mb(floor)} RSS {Mb(rss)} gen2 GCs {GC.CollectionCount(2)} meter {proof.MeterCredits:N0} records | CPU controller {cpu:P0} mosquitto {brokerCpu:P0} | load {LoadAverage()}");
        return new MinuteRow(minute, liveHeap, floor, rss, text);
    }

    private static Process StartPublisher(int port, int miners, int cycles, double cycleSeconds, int rackSize, ConcurrentQueue<string> lines)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[]
        {
            typeof(SoakHarness).Assembly.Location, "soak-publish", "--port", port.ToString(CultureInfo.InvariantCulture), "--miners", miners.ToString(CultureInfo.InvariantCulture),
            "--cycles", cycles.ToString(CultureInfo.InvariantCulture), "--cycle-s", cycleSeconds.ToString(CultureInfo.InvariantCulture), "--rack-size", rackSize.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>VmRSS of this process from /proc/self/status, in bytes.</summary>
    private static long Rss()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    internal static string Mb(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Percent(long from, long to) => (from == 0 ? 0 : (to - from) * 100.0 / from).ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + " %";

    internal sealed record MinuteRow(int Minute, long LiveHeap, long HeapFloor, long Rss, string Text);

    /// <summary>CPU times at the previous minute's row: the controller's process, mosquitto, and when.</summary>
    private sealed class CpuMark(TimeSpan controller, TimeSpan broker, long ticks)
    {
        public TimeSpan Controller { get; set; } = controller;

        public TimeSpan Broker { get; set; } = broker;

        public long Ticks { get; set; } = ticks;
    }
}
