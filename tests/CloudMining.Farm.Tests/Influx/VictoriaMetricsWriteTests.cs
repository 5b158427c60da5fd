using System.Text.Json;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>The v2 write path (<c>/api/v2/write</c>, token header) against a real VictoriaMetrics, read back through <c>/api/v1/export</c>.</summary>
[Trait("Category", "Integration")]
public sealed class VictoriaMetricsWriteTests : IAsyncLifetime
{
    private VictoriaMetricsServer _server = null!;

    public async Task InitializeAsync() => _server = await VictoriaMetricsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(WritePrecision.Ms)]
    [InlineData(WritePrecision.S)]
    [InlineData(WritePrecision.Us)]
    [InlineData(WritePrecision.Ns)]
    public async Task V2_write_with_every_numeric_type_is_exported_with_exact_values(WritePrecision precision)
    {
        // VictoriaMetrics keeps millisecond timestamps and drops samples outside its retention: use "now", whole seconds.
        long seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var options = new InfluxDBClientOptions { Url = _server.Url, ApiVersion = InfluxApiVersion.V2, Org = "farm", Bucket = "history", Token = "vm-ignores-this", Precision = precision };
        using var client = new InfluxDBClient(options);
        await client.GetWriteApiAsync().WritePointAsync(PointData.Measurement("rack power")
            .Tag("rack id", "row 1")
            .Field("watts", 3250.5).Field("miners", 12L).Field("shares", 18_446_744_073_709UL).Field("on", true)
            .Timestamp(seconds, WritePrecision.S));

        Dictionary<string, (double Value, long TimeMs, string Tag)> series = await ExportAsync();
        Assert.Equal((3250.5, seconds * 1000, "row 1"), series["rack power_watts"]);
        Assert.Equal((12.0, seconds * 1000, "row 1"), series["rack power_miners"]);
        Assert.Equal((18_446_744_073_709.0, seconds * 1000, "row 1"), series["rack power_shares"]);
        Assert.Equal((1.0, seconds * 1000, "row 1"), series["rack power_on"]);
    }

    [Fact]
    public async Task Batching_writer_delivers_a_stream_to_the_v2_endpoint()
    {
        long startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var options = new InfluxDBClientOptions { Url = _server.Url, ApiVersion = InfluxApiVersion.V2, Org = "farm", Bucket = "history", Token = "t", Precision = WritePrecision.Ms };
        using var client = new InfluxDBClient(options);
        await using (WriteApi writer = await client.CreateWriteApiAsync(new WriteOptions { BatchSize = 50, FlushInterval = TimeSpan.FromMilliseconds(50) }))
        {
            for (int i = 0; i < 500; i++)
            {
                writer.WritePoint(PointData.Measurement("seq").Field("n", (long)i).Timestamp(startMs + i, WritePrecision.Ms));
            }

            await writer.FlushAsync();
            Assert.Equal(500, writer.Statistics.PointsAcknowledged);
        }

        string export = await _server.ExportAsync("{__name__=\"seq_n\"}", text => text.Split(',').Length > 1000);
        using JsonDocument doc = JsonDocument.Parse(export.Trim());
        double[] values = doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        long[] times = doc.RootElement.GetProperty("timestamps").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (double)i), values);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => startMs + i), times);
    }

    [Fact]
    public async Task Server_stopped_mid_stream_gets_every_point_exactly_once_after_restart()
    {
        // VictoriaMetrics keeps duplicate samples, so a batch delivered twice would show as extra values here.
        long startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string spill = Directory.CreateTempSubdirectory("farm-vm-spill-").FullName;
        try
        {
            var options = new InfluxDBClientOptions { Url = _server.Url, ApiVersion = InfluxApiVersion.V2, Org = "farm", Bucket = "history", Token = "t", Precision = WritePrecision.Ms, Timeout = TimeSpan.FromSeconds(2) };
            using var client = new InfluxDBClient(options);
            await using WriteApi writer = await client.CreateWriteApiAsync(new WriteOptions
            {
                BatchSize = 50,
                FlushInterval = TimeSpan.FromMilliseconds(50),
                RetryInterval = TimeSpan.FromMilliseconds(50),
                MaxRetryDelay = TimeSpan.FromMilliseconds(250),
                MaxRetries = 1,
                MaxBufferedPoints = 200,
                SpillDirectory = spill,
            });

            void Write(int from, int to)
            {
                for (int i = from; i < to; i++)
                {
                    writer.WritePoint(PointData.Measurement("ids").Field("id", (long)i).Timestamp(startMs + i, WritePrecision.Ms));
                }
            }

            Write(0, 600);
            Assert.True(await Eventually.TrueAsync(() => writer.Statistics.PointsAcknowledged >= 300, TimeSpan.FromSeconds(20)));
            await _server.StopAsync();
            Write(600, 1200);
            Assert.True(await Eventually.TrueAsync(() => writer.Statistics.SpillFiles > 0, TimeSpan.FromSeconds(20)), $"no spill: {writer.Statistics}");
            await _server.StartAgainAsync();
            Write(1200, 1800);
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await writer.FlushAsync(deadline.Token);
            }

            Assert.Equal(1800, writer.Statistics.PointsAcknowledged);
            Assert.Equal(0, writer.Statistics.PointsDropped);
            string export = await _server.ExportAsync("{__name__=\"ids_id\"}", text => text.Split(',').Length > 3600);
            using JsonDocument doc = JsonDocument.Parse(export.Trim());
            double[] values = doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 1800).Select(i => (double)i), values);
        }
        finally
        {
            Directory.Delete(spill, recursive: true);
        }
    }

    private async Task<Dictionary<string, (double, long, string)>> ExportAsync()
    {
        var series = new Dictionary<string, (double, long, string)>(StringComparer.Ordinal);
        foreach (string line in (await _server.ExportAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement metric = doc.RootElement.GetProperty("metric");
            series[metric.GetProperty("__name__").GetString()!] = (
                doc.RootElement.GetProperty("values")[0].GetDouble(),
                doc.RootElement.GetProperty("timestamps")[0].GetInt64(),
                metric.GetProperty("rack id").GetString()!);
        }

        return series;
    }
}
