using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Tests.Infrastructure;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Bench.Influx;

/// <summary>
/// <c>influx-ingest --points N</c>: starts a private influxd, writes the same N points with our <see cref="WriteApi"/> and
/// with <c>influx -import</c>, checks both databases hold N points, and prints points per second for each.
/// </summary>
public static class InfluxIngestHarness
{
    private const long BaseTime = 1_763_700_000_000_000_000L;

    public static async Task<int> RunAsync(string[] args)
    {
        int points = 200_000;
        int batchSize = 5000;
        int rounds = 5;
        int concurrency = new WriteOptions().MaxConcurrentRequests;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--points")
            {
                points = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--rounds")
            {
                rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--concurrency")
            {
                concurrency = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--batch")
            {
                batchSize = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        PointData[] data = Generate(points);

        // Each round gets a fresh influxd (no compaction or cache snapshot left over from the previous round), and the
        // writers take turns going first; the median of the rounds is reported.
        var oursTimes = new List<TimeSpan>();
        var cliTimes = new List<TimeSpan>();
        WriteApiStatistics stats = null!;
        string cliOutput = "";
        bool ok = true;
        for (int round = 0; round < rounds; round++)
        {
            await using InfluxdServer server = await InfluxdServer.StartAsync();
            await server.CreateDatabaseAsync("warmup");
            await server.CreateDatabaseAsync("ours");
            await server.CreateDatabaseAsync("cli");
            // Warm-up with the whole data set into a scratch database: our code reaches tier-1 JIT as in a long-running
            // service, and influxd grows its heap and caches before either measured writer (whichever ran first on a
            // cold server was otherwise ~30 % slower, whoever it was).
            await WriteOursAsync(server, "warmup", data, batchSize, concurrency);
            string file = Path.Combine(server.Root, "import.lp");
            WriteImportFile(file, "cli", data);

            async Task RunCli()
            {
                var cli = Stopwatch.StartNew();
                cliOutput = await RunCliImportAsync(server, file);
                cliTimes.Add(cli.Elapsed);
            }

            async Task RunOurs()
            {
                var ours = Stopwatch.StartNew();
                stats = await WriteOursAsync(server, "ours", data, batchSize, concurrency);
                oursTimes.Add(ours.Elapsed);
            }

            if (round % 2 == 0)
            {
                await RunCli();
                await RunOurs();
            }
            else
            {
                await RunOurs();
                await RunCli();
            }

            if (InfluxdServer.HttpLogRequested)
            {
                PrintRequestDurations(server.Output);
            }

            long oursCount = await CountAsync(server, "ours");
            long cliCount = await CountAsync(server, "cli");
            ok &= oursCount == points && cliCount == points;
            Console.WriteLine($"round {round + 1} ({(round % 2 == 0 ? "influx first" : "ours first")}): ours {oursTimes[^1].TotalSeconds:F2} s ({oursCount:N0} stored), influx -import {cliTimes[^1].TotalSeconds:F2} s ({cliCount:N0} stored)");
        }

        Console.WriteLine();
        Console.WriteLine($"influxd 1.6.7 (fresh per round), {points:N0} points (100 series x {points / 100:N0}, 2 tags, 4 fields), batch {batchSize}, WriteApi MaxConcurrentRequests {concurrency}, {Environment.ProcessorCount} cores, median of {rounds} rounds");
        Console.WriteLine();
        Console.WriteLine("| writer | points | seconds (median) | points/s |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine(Row("CloudMining.Farm.Influx WriteApi", points, Median(oursTimes)));
        Console.WriteLine(Row("influx -import -precision=ns", points, Median(cliTimes)));
        Console.WriteLine();
        Console.WriteLine($"WriteApi (last round): acknowledged {stats.PointsAcknowledged:N0} in {stats.BatchesAcknowledged} batches, rejected {stats.PointsRejected}, dropped {stats.PointsDropped}");
        Console.WriteLine("influx CLI (last round) said: " + cliOutput.Trim().Replace('\n', ' '));
        if (!ok)
        {
            Console.Error.WriteLine($"MISMATCH: expected {points} points in each database");
        }

        return ok ? 0 : 1;
    }

    // influxd's access log ends each line with the request duration in microseconds.
    private static void PrintRequestDurations(string output)
    {
        foreach (IGrouping<string, string> group in output.Split('\n').Where(l => l.Contains("POST /write", StringComparison.Ordinal))
            .GroupBy(l => l.Contains("db=cli", StringComparison.Ordinal) ? "cli" : l.Contains("db=ours", StringComparison.Ordinal) ? "ours" : "warmup"))
        {
            long[] micros = group.Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..].Trim(), CultureInfo.InvariantCulture)).ToArray();
            Console.WriteLine($"  {group.Key}: {micros.Length} requests, server time sum {micros.Sum() / 1000.0:F0} ms, median {micros.Order().ElementAt(micros.Length / 2) / 1000.0:F1} ms");
        }
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);

    private static string Row(string name, long stored, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {stored:N0} | {elapsed.TotalSeconds:F2} | {stored / elapsed.TotalSeconds:N0} |");

    private static PointData[] Generate(int count) => Enumerable.Range(0, count).Select(i => PointData.Measurement("miner")
        .Tag("rack", "R" + (i % 100 / 10).ToString("D2", CultureInfo.InvariantCulture))
        .Tag("miner", "s19-" + (i % 100).ToString("D3", CultureInfo.InvariantCulture))
        .Field("hashrate_ths", 104.25 + (i % 17)).Field("chip_temp_c", 71.5 + (i % 9))
        .Field("fan_rpm", 5400L + i % 300).Field("alive", i % 50 != 0)
        .Timestamp(BaseTime + (i / 100 * 1_000_000_000L), WritePrecision.Ns)).ToArray();

    private static async Task<WriteApiStatistics> WriteOursAsync(InfluxdServer server, string database, PointData[] data, int batchSize, int concurrency)
    {
        using var client = new InfluxDBClient(new InfluxDBClientOptions { Url = server.Url, Database = database, Timeout = TimeSpan.FromSeconds(60), EnableGzip = Environment.GetEnvironmentVariable("INGEST_GZIP") == "1" });
        await using WriteApi writer = await client.CreateWriteApiAsync(new WriteOptions { BatchSize = batchSize, MaxConcurrentRequests = concurrency, MaxBufferedPoints = Math.Max(data.Length, batchSize) });
        var clock = Stopwatch.StartNew();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (PointData point in data)
        {
            writer.WritePoint(point);
        }

        TimeSpan produced = clock.Elapsed;
        await writer.FlushAsync();
        if (Environment.GetEnvironmentVariable("INGEST_DEBUG") is not null)
        {
            Console.WriteLine($"  producer {produced.TotalSeconds:F3} s, total {clock.Elapsed.TotalSeconds:F3} s, cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F3} s, gen2 {GC.CollectionCount(2)}");
        }
        return writer.Statistics;
    }

    private static void WriteImportFile(string path, string database, PointData[] data)
    {
        var batch = new LineBatch(1 << 20);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write(Encoding.UTF8.GetBytes($"# DML\n# CONTEXT-DATABASE: {database}\n"));
        foreach (PointData point in data)
        {
            batch.Add(point, WritePrecision.Ns, 0);
            if (batch.WrittenMemory.Length > 1 << 19)
            {
                file.Write(batch.WrittenMemory.Span);
                batch.Reset();
            }
        }

        file.Write(batch.WrittenMemory.Span);
    }

    private static async Task<string> RunCliImportAsync(InfluxdServer server, string file)
    {
        var info = new ProcessStartInfo(ServerBinary.Find("influx"), ["-host", "127.0.0.1", "-port", server.HttpPort.ToString(CultureInfo.InvariantCulture), "-import", "-path=" + file, "-precision=ns"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"influx -import failed ({process.ExitCode}): {output}");
        }

        return output;
    }

    private static async Task<long> CountAsync(InfluxdServer server, string database)
    {
        string json = await server.QueryAsync(database, "SELECT COUNT(fan_rpm) FROM miner");
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("results")[0].GetProperty("series")[0].GetProperty("values")[0][1].GetInt64();
    }
}
