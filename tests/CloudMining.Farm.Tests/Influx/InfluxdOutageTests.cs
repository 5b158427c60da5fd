using System.Text.Json;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>influxd goes away in the middle of a write stream and comes back: every point arrives, none twice.</summary>
[Trait("Category", "Integration")]
public sealed class InfluxdOutageTests : IAsyncLifetime
{
    private const long BaseTime = 1_763_700_000_000_000_000L;
    private InfluxdServer _server = null!;
    private string _spill = null!;

    public async Task InitializeAsync()
    {
        _server = await InfluxdServer.StartAsync();
        await _server.CreateDatabaseAsync("farm");
        _spill = Directory.CreateTempSubdirectory("farm-spill-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_spill, recursive: true);
    }

    [Fact]
    public async Task Points_written_while_the_server_is_down_arrive_once_after_it_returns()
    {
        using var client = new InfluxDBClient(new InfluxDBClientOptions { Url = _server.Url, Database = "farm", Timeout = TimeSpan.FromSeconds(2) });
        WriteOptions options = FastRetry(maxBufferedPoints: 400);
        await using WriteApi writer = await client.CreateWriteApiAsync(options);

        Write(writer, 0, 1000);
        Assert.True(await Eventually.TrueAsync(() => writer.Statistics.PointsAcknowledged >= 500, TimeSpan.FromSeconds(20)));
        await _server.StopAsync();

        Write(writer, 1000, 2000);
        // Memory holds 400 points; the rest must have gone to disk, not been dropped.
        Assert.True(await Eventually.TrueAsync(() => writer.Statistics.SpillFiles > 0, TimeSpan.FromSeconds(20)), $"no spill: {writer.Statistics}");
        Assert.True(Directory.EnumerateFiles(_spill, "*.lp").Any());

        await _server.StartAgainAsync();
        Write(writer, 2000, 3000);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await writer.FlushAsync(deadline.Token);
        }

        WriteApiStatistics stats = writer.Statistics;
        Assert.Equal(3000, stats.PointsAcknowledged);
        Assert.Equal(0, stats.PointsDropped);
        Assert.Equal(0, stats.PointsRejected);
        Assert.True(stats.PointsSpilled > 0);
        Assert.Empty(Directory.EnumerateFiles(_spill, "*.lp"));
        await AssertEveryIdOnceAsync(3000);
    }

    [Fact]
    public async Task Spilled_batches_survive_a_restart_of_the_writer_and_replay_in_order()
    {
        using var client = new InfluxDBClient(new InfluxDBClientOptions { Url = _server.Url, Database = "farm", Timeout = TimeSpan.FromSeconds(2) });
        await _server.StopAsync();
        var options = FastRetry(maxBufferedPoints: 200);
        options.ShutdownTimeout = TimeSpan.FromMilliseconds(300);
        await using (WriteApi first = client.GetWriteApi(options))
        {
            Write(first, 0, 1000);
        }

        // The first writer is gone with the server down: everything it held is on disk now, one line per point.
        string[] files = Directory.EnumerateFiles(_spill, "*.lp").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 10, $"{files.Length} spill files for 10 batches of 100");
        string[] lines = files.SelectMany(File.ReadAllLines).ToArray();
        Assert.Equal(1000, lines.Length);
        // Files sort by sequence, so reading them in name order gives the points in the order they were written.
        Assert.Equal(Enumerable.Range(0, 1000).Select(id => $"stream,rack=r1 id={id}i {BaseTime + id}"), lines);

        await _server.StartAgainAsync();
        await using WriteApi second = client.GetWriteApi(options);
        Write(second, 1000, 1500);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await second.FlushAsync(deadline.Token);
        }

        Assert.Equal(1500, second.Statistics.PointsAcknowledged);
        Assert.Empty(Directory.EnumerateFiles(_spill, "*.lp"));
        await AssertEveryIdOnceAsync(1500);
    }

    [Fact]
    public async Task A_missing_database_blocks_the_stream_without_losing_points_until_it_is_created()
    {
        using var client = new InfluxDBClient(new InfluxDBClientOptions { Url = _server.Url, Database = "later", Timeout = TimeSpan.FromSeconds(2) });
        var failures = new List<WriteErrorEventArgs>();
        WriteOptions options = FastRetry(maxBufferedPoints: 1000);
        await using WriteApi writer = client.GetWriteApi(options);
        writer.WriteFailed += (_, e) => { lock (failures) { failures.Add(e); } };

        Write(writer, 0, 300);
        Assert.True(await Eventually.TrueAsync(() => { lock (failures) { return failures.Count > 0; } }, TimeSpan.FromSeconds(20)));
        WriteErrorEventArgs first;
        lock (failures)
        {
            first = failures[0];
        }

        var config = Assert.IsType<InfluxConfigurationException>(first.Exception);
        Assert.Equal("Influx:Database", config.Setting);
        Assert.False(first.Dropped);

        await _server.QueryAsync(null, "CREATE DATABASE \"later\"", post: true);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await writer.FlushAsync(deadline.Token);
        }

        Assert.Equal(300, writer.Statistics.PointsAcknowledged);
        var rows = InfluxQueryResult.Rows(await _server.QueryAsync("later", "SELECT id FROM stream"));
        Assert.Equal(300, rows.Count);
    }

    [Fact]
    public async Task Points_beyond_the_spill_bound_are_counted_as_dropped_never_silently_lost()
    {
        using var client = new InfluxDBClient(new InfluxDBClientOptions { Url = _server.Url, Database = "farm", Timeout = TimeSpan.FromSeconds(2) });
        await _server.StopAsync();
        WriteOptions options = FastRetry(maxBufferedPoints: 100);
        options.MaxSpillBytes = 10_000; // a few 100-point batches (~3.7 KB each) fit, the rest cannot
        await using WriteApi writer = client.GetWriteApi(options);

        Write(writer, 0, 1000);

        WriteApiStatistics stats = writer.Statistics;
        Assert.True(stats.PointsDropped > 0, stats.ToString());
        Assert.True(stats.PointsSpilled > 0, stats.ToString());
        // Every point is accounted for: in memory, on disk, or counted as dropped.
        Assert.Equal(1000, stats.PointsInMemory + stats.PointsSpilled + stats.PointsDropped);
        long spilledBytes = Directory.EnumerateFiles(_spill, "*.lp").Sum(f => new FileInfo(f).Length);
        Assert.InRange(spilledBytes, 1, options.MaxSpillBytes);
    }

    private WriteOptions FastRetry(int maxBufferedPoints) => new()
    {
        BatchSize = 100,
        FlushInterval = TimeSpan.FromMilliseconds(50),
        RetryInterval = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(250),
        MaxRetries = 1,
        MaxBufferedPoints = maxBufferedPoints,
        // Two batches in flight: the replay must still deliver each exactly once.
        MaxConcurrentRequests = 2,
        SpillDirectory = _spill,
    };

    private static void Write(WriteApi writer, int from, int to)
    {
        for (int id = from; id < to; id++)
        {
            writer.WritePoint(PointData.Measurement("stream").Tag("rack", "r1").Field("id", (long)id).Timestamp(BaseTime + id, InfluxDB.Client.Api.Domain.WritePrecision.Ns));
        }
    }

    private async Task AssertEveryIdOnceAsync(int count)
    {
        var rows = InfluxQueryResult.Rows(await _server.QueryAsync("farm", "SELECT id FROM stream"));
        long[] ids = rows.Select(r => r.Row["id"].GetInt64()).Order().ToArray();
        Assert.Equal(count, ids.Length);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), ids);
        // Each row carries the timestamp its id was written with: nothing was re-stamped on replay.
        Assert.All(rows, r => Assert.Equal(BaseTime + r.Row["id"].GetInt64(), r.Row["time"].GetInt64()));
        Assert.Equal(JsonValueKind.Number, rows[0].Row["id"].ValueKind);
    }
}
