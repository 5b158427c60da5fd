using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Bench.Mqtt;
using CloudMining.Farm.Bench.Polling;
using CloudMining.Farm.Tests.Infrastructure;

namespace CloudMining.Farm.Bench.AgentProcess;

/// <summary>
/// `agent-process`: the real `farm-agent run` binary (any build: --agent-dll) polling N simulated miners (farm-sim, its
/// own process) and publishing to a private mosquitto, measured from outside through /proc — CPU (utime + stime) per
/// cycle, resident memory — while a subscriber counts the telemetry that arrives. It uses no agent API, so it measures
/// an old and a new agent alike. See docs/benchmarks.md, "Agent process".
/// </summary>
internal static class AgentProcessBenchmark
{
    private const string Usage = "usage: agent-process [--miners N] [--cycles C] [--warmup W (2)] [--interval SECONDS] [--concurrency K] [--timeout SECONDS] [--qos 0|1] [--base 127.3.0.1] [--firmware a,b,...] [--agent-dll PATH] [--batch] [--keep]";
    private const string Site = "bench";
    private const string Rack = "BENCH";

    public static async Task<int> RunAsync(string[] args)
    {
        int miners = 1000, cycles = 3, warmup = 2, concurrency = 256, qos = 1;
        double interval = 10, timeout = 3;
        string baseAddress = "127.3.0.1", firmware = "antminer,braiins-os,whatsminer,avalon,luxos,vnish";
        string? agentDll = null;
        bool keep = false, batch = false;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--miners": miners = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--cycles": cycles = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--interval": interval = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--concurrency": concurrency = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--timeout": timeout = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--qos": qos = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--base": baseAddress = value; i++; break;
                case "--firmware": firmware = value; i++; break;
                case "--agent-dll": agentDll = Path.GetFullPath(value); i++; break;
                case "--keep": keep = true; break;
                case "--batch": batch = true; break;
                default:
                    await Console.Error.WriteLineAsync($"agent-process: unknown option '{args[i]}'. {Usage}");
                    return 2;
            }
        }

        agentDll ??= Path.Combine(PollBenchmark.FindRoot(), "agent", "CloudMining.Farm.Agent", "bin", "Release", "net10.0", "farm-agent.dll");
        if (!File.Exists(agentDll))
        {
            await Console.Error.WriteLineAsync($"agent-process: {agentDll} is missing; build it first (dotnet build -c Release agent/CloudMining.Farm.Agent) or name one with --agent-dll PATH.");
            return 2;
        }

        if (cycles < 1 || warmup < 1 || miners < 1)
        {
            await Console.Error.WriteLineAsync($"agent-process: --miners, --cycles and --warmup must be at least 1. {Usage}");
            return 2;
        }

        ulong? fdLimit = ProcessLimits.RaiseOpenFiles();
        Console.WriteLine($"agent-process: {miners} miners ({firmware}), {warmup} warm-up + {cycles} measured cycles every {interval} s, concurrency {concurrency}, timeout {timeout} s, telemetry QoS {qos}{(batch ? ", one farm.v1.telemetry-batch per rack per cycle (readings counted by rows)" : ", per-miner telemetry")}; agent {agentDll}; open-files limit {fdLimit?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}; {Environment.ProcessorCount} cores; load {LoadAverage()}");

        string work = Directory.CreateTempSubdirectory("farm-bench-agent-").FullName;
        string state = Path.Combine(work, "agent");
        Directory.CreateDirectory(state);
        string manifest = Path.Combine(work, "manifest.json");
        Process? agent = null;
        await using BenchBroker broker = await BenchBroker.StartAsync();
        await using TelemetryCounter counter = await TelemetryCounter.StartAsync(broker.Port, $"farm/v1/{Site}/{Rack}/#", $"farm/v1/{Site}/{Rack}/bench-probe", batch);
        using Process sim = PollBenchmark.StartSimulator(miners, baseAddress, firmware, manifest, Path.Combine(work, "farm-sim.log"));
        try
        {
            var started = Stopwatch.StartNew();
            List<MinerOptions> configured = await PollBenchmark.WaitForManifestAsync(sim, manifest, TimeSpan.FromMinutes(5));
            Console.WriteLine($"farm-sim (pid {sim.Id}) up with {configured.Count} miners after {started.Elapsed.TotalSeconds:F1} s; mosquitto on 127.0.0.1:{broker.Port}");

            string config = Path.Combine(work, "agent.json");
            await File.WriteAllTextAsync(config, AgentConfig(configured, broker.Port, state, interval, concurrency, timeout, qos, batch));
            string agentLog = Path.Combine(work, "farm-agent.log");
            agent = StartAgent(agentDll, config, agentLog);
            var agentClock = Stopwatch.StartNew();

            string status = Path.Combine(state, "status.json");
            var watch = new StatusWatch(status);
            TimeSpan patience = TimeSpan.FromSeconds(Math.Max(120, interval * 6));

            // Warm-up: start-up, JIT, firmware detection of every miner, the broker connection and the first publishes.
            CycleMark mark = await watch.NextAsync(agent, warmup, patience, agentLog);
            Console.WriteLine($"warm-up: {warmup} cycle(s) done {agentClock.Elapsed.TotalSeconds:F1} s after start; last cycle {mark.CycleSeconds:F2} s, {mark.Answering}/{mark.Total} answering; {counter.Telemetry} telemetry messages so far");

            ProcSample before = ProcSample.Read(agent.Id);
            long telemetryStart = counter.Telemetry;
            long telemetryBefore = counter.Telemetry, allBefore = counter.All;
            var windowClock = Stopwatch.StartNew();
            var rows = new List<Window>();
            for (int c = 1; c <= cycles; c++)
            {
                // One window runs from one status.json write to the next: it holds the previous cycle's publishing
                // (the agent publishes after writing status) and one whole poll cycle plus the idle rest of the interval.
                CycleMark next = await watch.NextAsync(agent, mark.Cycle + 1, patience, agentLog);
                ProcSample after = ProcSample.Read(agent.Id);
                TimeSpan wall = windowClock.Elapsed;
                windowClock.Restart();
                long telemetryNow = counter.Telemetry, allNow = counter.All;
                var window = new Window(next, wall, after.Cpu - before.Cpu, telemetryNow - telemetryBefore, allNow - allBefore, after, mark.Answering);
                rows.Add(window);
                Console.WriteLine(
                    $"cycle {next.Cycle}: wall {next.CycleSeconds:F2} s, {next.Answering}/{next.Total} answering; window {wall.TotalSeconds:F2} s: agent CPU {window.Cpu.TotalSeconds:F2} s = {window.Cores:F3} cores, " +
                    $"{window.Cpu.TotalMilliseconds * 1000 / configured.Count:F0} µs CPU per miner per cycle; {window.Telemetry} telemetry messages received ({window.All} in all) for {mark.Answering} answering in cycle {mark.Cycle}; RSS {after.RssBytes / 1048576.0:F1} MiB, {after.Threads} threads");
                before = after;
                telemetryBefore = telemetryNow;
                allBefore = allNow;
                mark = next;
            }

            // The agent publishes each cycle's telemetry one message after another after the cycle: under load that can
            // run past the next status write. Messages still missing at the end are waited for (not measured) and
            // reported as a backlog; a run where they never arrive fails.
            ProcSample end = ProcSample.Read(agent.Id);
            long expectedAll = rows.Sum(r => (long)r.ExpectedTelemetry);
            long backlog = Math.Max(0, expectedAll - (counter.Telemetry - telemetryStart));
            bool caughtUp = await Eventually.TrueAsync(() => counter.Telemetry - telemetryStart >= expectedAll, TimeSpan.FromSeconds(Math.Max(30, interval * 3)), TimeSpan.FromMilliseconds(100));
            long late = Math.Max(0, counter.Telemetry - telemetryStart - (expectedAll - backlog));
            double cores = rows.Average(r => r.Cores);
            double cpuPerMinerUs = rows.Average(r => r.Cpu.TotalMilliseconds * 1000 / configured.Count);
            double cpuPerMessageUs = rows.Sum(r => r.Cpu.TotalMilliseconds * 1000) / Math.Max(1, rows.Sum(r => r.Telemetry));
            long expected = expectedAll;
            long received = rows.Sum(r => r.Telemetry);
            double wallAvg = rows.Average(r => r.Mark.CycleSeconds), wallMax = rows.Max(r => r.Mark.CycleSeconds);
            Console.WriteLine();
            Console.WriteLine("| miners | interval | concurrency | cycle wall (avg / max) | CPU per miner per cycle | agent cores (avg over interval) | CPU per telemetry message | RSS / per miner | RssAnon per miner | peak RSS | telemetry in windows / expected (backlog at end) |");
            Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            Console.WriteLine(
                $"| {configured.Count} | {interval} s | {concurrency} | {wallAvg:F2} s / {wallMax:F2} s | {cpuPerMinerUs:F0} µs | {cores:F3} | {cpuPerMessageUs:F0} µs | {end.RssBytes / 1048576.0:F1} MiB / {end.RssBytes / 1024.0 / configured.Count:F1} KiB | {end.RssAnonBytes / 1024.0 / configured.Count:F1} KiB | {end.PeakRssBytes / 1048576.0:F1} MiB | {received} / {expected} ({backlog}) |");

            // One line for scripts (tests/bench-scripts/old-vs-new.sh reads it); keys stay stable.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"agent-process result: miners={configured.Count} cores={cores:F4} cpu_per_miner_us={cpuPerMinerUs:F1} cpu_per_message_us={cpuPerMessageUs:F1} rss_mib={end.RssBytes / 1048576.0:F1} rss_per_miner_kib={end.RssBytes / 1024.0 / configured.Count:F2} cycle_wall_s={wallAvg:F3} telemetry={received} expected={expected} backlog_end={backlog} load={LoadAverage().Replace(' ', '/')}"));

            if (backlog > 0)
            {
                Console.WriteLine($"publish backlog: {backlog} of {expected} telemetry messages had not arrived when the last window closed; {late} arrived afterwards{(caughtUp ? " (all in)" : string.Empty)}. Their publishing CPU is not in the windows, so the CPU figures are low by up to that share ({backlog * 100.0 / expected:F0} %).");
            }

            // A cycle that published less than it polled would look cheap: a run whose telemetry never arrives fails.
            if (!caughtUp)
            {
                Console.WriteLine($"WARNING: {expected - (counter.Telemetry - telemetryStart)} telemetry messages of {expected} never arrived; the CPU figures are not comparable.");
                return 1;
            }

            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"agent-process: {e.Message}");
            return 1;
        }
        finally
        {
            if (agent is not null)
            {
                PollBenchmark.Stop(agent);
                agent.Dispose();
            }

            PollBenchmark.Stop(sim);
            if (keep)
            {
                Console.WriteLine($"kept {work} (agent.json, farm-agent.log, farm-sim.log, agent/status.json)");
            }
            else
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>The same config format every agent version reads (docs/agent.md): the rack, the miners, the broker; no hardware.</summary>
    private static string AgentConfig(List<MinerOptions> miners, int port, string state, double interval, int concurrency, double timeout, int qos, bool batch)
    {
        var list = new JsonArray();
        foreach (MinerOptions m in miners)
        {
            list.Add(new JsonObject { ["Id"] = m.Id, ["Address"] = m.Address, ["Port"] = m.Port, ["Profile"] = "auto" });
        }

        var root = new JsonObject
        {
            ["Agent"] = new JsonObject
            {
                ["Site"] = Site,
                ["RackId"] = Rack,
                ["PollInterval"] = TimeSpan.FromSeconds(interval).ToString("c", CultureInfo.InvariantCulture),
                ["MaxConcurrency"] = concurrency,
                ["MinerTimeout"] = TimeSpan.FromSeconds(timeout).ToString("c", CultureInfo.InvariantCulture),
                ["RetryCount"] = 1,
                ["StateDirectory"] = state,
                ["Log"] = new JsonObject { ["Directory"] = string.Empty, ["Level"] = "Information" },
                ["Mqtt"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = port, ["TelemetryQos"] = qos, ["ReconnectMaxDelay"] = "00:00:05" },
                ["Miners"] = list,
            },
        };
        if (batch)
        {
            // Only when asked: an agent from before the batch (--agent-dll) does not know the section.
            root["Agent"]!["Telemetry"] = new JsonObject { ["Batch"] = true };
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static Process StartAgent(string dll, string config, string log)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", $"exec dotnet \"{dll}\" run --config \"{config}\" > \"{log}\" 2>&1" },
            UseShellExecute = false,
        };

        // Only this run's settings: nothing from the caller's FARM_AGENT_ environment may change what is measured.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("FARM_AGENT_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start farm-agent");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private sealed record Window(CycleMark Mark, TimeSpan Wall, TimeSpan Cpu, long Telemetry, long All, ProcSample Sample, int ExpectedTelemetry)
    {
        public double Cores => Cpu.TotalSeconds / Wall.TotalSeconds;
    }
}
