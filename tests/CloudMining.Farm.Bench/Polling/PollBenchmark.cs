using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Polling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Bench.Polling;

/// <summary>
/// `poll` benchmark: farm-sim runs N miners in its own process (so this process's CPU is the agent's alone), and the
/// agent's real poller (Polly pipelines, firmware detection and decoding) polls them on the interval for a few cycles.
/// </summary>
internal static class PollBenchmark
{
    private const string Usage = "usage: poll [--miners N] [--cycles C] [--interval SECONDS] [--concurrency K] [--timeout SECONDS] [--base 127.2.0.1] [--firmware a,b,...]";

    public static async Task<int> RunAsync(string[] args)
    {
        int miners = 1000, cycles = 3, concurrency = 256;
        double interval = 10, timeout = 3;
        string baseAddress = "127.2.0.1", firmware = "antminer,braiins-os,whatsminer,avalon,luxos,vnish";
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--miners": miners = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--cycles": cycles = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--interval": interval = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--concurrency": concurrency = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--timeout": timeout = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--base": baseAddress = value; i++; break;
                case "--firmware": firmware = value; i++; break;
                default:
                    await Console.Error.WriteLineAsync($"poll: unknown option '{args[i]}'. {Usage}");
                    return 2;
            }
        }

        ulong? fdLimit = ProcessLimits.RaiseOpenFiles();
        Console.WriteLine($"poll benchmark: {miners} miners ({firmware}), {cycles} cycles every {interval} s, concurrency {concurrency}, timeout {timeout} s; open-files limit {fdLimit?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}; {Environment.ProcessorCount} cores");

        string work = Directory.CreateTempSubdirectory("farm-bench-poll-").FullName;
        string manifest = Path.Combine(work, "manifest.json");
        using Process sim = StartSimulator(miners, baseAddress, firmware, manifest, Path.Combine(work, "farm-sim.log"));
        try
        {
            var started = Stopwatch.StartNew();
            List<MinerOptions> configured = await WaitForManifestAsync(sim, manifest, TimeSpan.FromMinutes(5));
            Console.WriteLine($"farm-sim (pid {sim.Id}) up with {configured.Count} miners after {started.Elapsed.TotalSeconds:F1} s");

            var options = new AgentOptions
            {
                Site = "bench",
                RackId = "BENCH",
                PollInterval = TimeSpan.FromSeconds(interval),
                MaxConcurrency = concurrency,
                MinerTimeout = TimeSpan.FromSeconds(timeout),
                RetryCount = 1,
                StateDirectory = work,
                Log = new LogOptions { Directory = null },
            };
            foreach (MinerOptions m in configured)
            {
                options.Miners.Add(m);
            }

            using Process self = Process.GetCurrentProcess();
            long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            self.Refresh();
            long workingSetBefore = self.WorkingSet64;

            var tracker = new MinerHealthTracker(configured, NullLogger<MinerHealthTracker>.Instance);
            var poller = new RackPoller(Options.Create(options), MinerReaderFactory.Create(options), tracker, TimeProvider.System);

            // Cycle 0 warms up: JIT, firmware detection of every miner ("auto"), first connections.
            PollCycleResult warm = await poller.PollOnceAsync(CancellationToken.None);
            Console.WriteLine($"warm-up cycle: {warm.Duration.TotalSeconds:F2} s, {warm.Succeeded}/{warm.Polled} ok (includes JIT and firmware detection)");

            var rows = new List<(PollCycleResult Cycle, TimeSpan Cpu, TimeSpan CpuInterval, long Allocated)>();
            for (int c = 0; c < cycles; c++)
            {
                var cycleClock = Stopwatch.StartNew();
                self.Refresh();
                TimeSpan cpu0 = self.TotalProcessorTime;
                long alloc0 = GC.GetTotalAllocatedBytes(precise: false);
                PollCycleResult result = await poller.PollOnceAsync(CancellationToken.None);
                self.Refresh();
                TimeSpan cpuCycle = self.TotalProcessorTime - cpu0;
                long allocated = GC.GetTotalAllocatedBytes(precise: false) - alloc0;

                // The agent idles until the next tick; its average load is CPU over the whole interval.
                TimeSpan rest = TimeSpan.FromSeconds(interval) - cycleClock.Elapsed;
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest);
                }

                self.Refresh();
                TimeSpan cpuInterval = self.TotalProcessorTime - cpu0;
                rows.Add((result, cpuCycle, cpuInterval, allocated));
                Console.WriteLine(
                    $"cycle {c + 1}: wall {result.Duration.TotalSeconds:F2} s, {result.Succeeded}/{result.Polled} ok, CPU {cpuCycle.TotalSeconds:F2} s in cycle, " +
                    $"{cpuInterval.TotalMilliseconds * 1000 / result.Polled:F0} µs CPU per poll, {cpuInterval.TotalSeconds / Math.Max(interval, cycleClock.Elapsed.TotalSeconds):F2} cores over the interval, {allocated / (double)result.Polled / 1024:F1} KiB allocated per poll");
            }

            long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            self.Refresh();
            long workingSetAfter = self.WorkingSet64;
            GC.KeepAlive(poller);

            double wall = rows.Average(r => r.Cycle.Duration.TotalSeconds);
            double maxWall = rows.Max(r => r.Cycle.Duration.TotalSeconds);
            double cpuPerPollUs = rows.Average(r => r.CpuInterval.TotalMilliseconds * 1000 / r.Cycle.Polled);
            double cores = rows.Average(r => r.CpuInterval.TotalSeconds / Math.Max(interval, r.Cycle.Duration.TotalSeconds));
            double heapPerMiner = (heapAfter - heapBefore) / (double)configured.Count;
            double wsPerMiner = (workingSetAfter - workingSetBefore) / (double)configured.Count;
            int failed = rows.Sum(r => r.Cycle.Polled - r.Cycle.Succeeded);
            Console.WriteLine();
            Console.WriteLine("| miners | interval | concurrency | cycle wall (avg / max) | CPU per poll | agent cores (avg over interval) | GC heap per miner | working set per miner | failed polls |");
            Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            Console.WriteLine(
                $"| {configured.Count} | {interval} s | {concurrency} | {wall:F2} s / {maxWall:F2} s | {cpuPerPollUs:F0} µs | {cores:F2} | {heapPerMiner / 1024:F1} KiB | {wsPerMiner / 1024:F1} KiB | {failed} of {rows.Sum(r => r.Cycle.Polled)} |");
            return 0;
        }
        finally
        {
            Stop(sim);
            Directory.Delete(work, recursive: true);
        }
    }

    internal static Process StartSimulator(int miners, string baseAddress, string firmware, string manifest, string log)
    {
        string root = FindRoot();
        string dll = Path.Combine(root, "tests", "CloudMining.Farm.Simulator", "bin", "Release", "net10.0", "farm-sim.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing; build it first: dotnet build -c Release tests/CloudMining.Farm.Simulator", dll);
        }

        // A separate process, so that TotalProcessorTime here is the agent's alone; its output goes to a log file.
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList =
            {
                "-c",
                $"exec dotnet \"{dll}\" --miners {miners} --base {baseAddress} --firmware {firmware} --manifest \"{manifest}\" > \"{log}\" 2>&1",
            },
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("could not start farm-sim");
    }

    internal static async Task<List<MinerOptions>> WaitForManifestAsync(Process sim, string manifest, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            if (sim.HasExited)
            {
                throw new InvalidOperationException($"farm-sim exited with code {sim.ExitCode} before writing its manifest; see its log beside {manifest}.");
            }

            if (File.Exists(manifest))
            {
                try
                {
                    using JsonDocument doc = JsonDocument.Parse(await File.ReadAllBytesAsync(manifest));
                    return doc.RootElement.GetProperty("miners").EnumerateArray().Select(m => new MinerOptions
                    {
                        Id = m.GetProperty("id").GetString()!,
                        Address = m.GetProperty("host").GetString()!,
                        Port = m.GetProperty("port").GetInt32(),
                        Profile = MinerOptions.AutoProfile,
                    }).ToList();
                }
                catch (JsonException)
                {
                    // Still being written.
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"farm-sim wrote no manifest within {patience}.");
    }

    internal static void Stop(Process sim)
    {
        if (sim.HasExited)
        {
            return;
        }

        using (Process? term = Process.Start("kill", ["-TERM", sim.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            term?.WaitForExit();
        }

        if (!sim.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            sim.Kill();
        }
    }

    internal static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CloudMining.Farm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmark from inside the checkout");
    }
}
