using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Influx;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>influxd is down while telemetry arrives: the controller's history spills to disk and every point arrives later.</summary>
[Trait("Category", "Integration")]
public sealed class ControllerHistoryOutageTests : IAsyncLifetime
{
    private InfluxdServer _server = null!;
    private string _spill = null!;

    public async Task InitializeAsync()
    {
        _server = await InfluxdServer.StartAsync();
        await _server.CreateDatabaseAsync("farm");
        _spill = Directory.CreateTempSubdirectory("ctl-spill-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_spill, recursive: true);
    }

    [Fact]
    public async Task Telemetry_ingested_during_an_influxd_outage_is_written_once_it_returns()
    {
        var write = new WriteOptions
        {
            BatchSize = 2,
            FlushInterval = TimeSpan.FromMilliseconds(50),
            RetryInterval = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(250),
            MaxRetries = 1,
            MaxBufferedPoints = 2,
            SpillDirectory = _spill,
        };
        var influx = new InfluxDBClientOptions { Enabled = true, Url = _server.Url, Database = "farm", Timeout = TimeSpan.FromSeconds(2) };
        await using var history = new HistoryWriter(influx, write);
        using var service = new IngestService(new ControllerOptions { Site = "s1" }, new FleetState(), history);
        await _server.StopAsync();

        for (int i = 1; i <= 10; i++)
        {
            MinerTelemetryPayload t = ControllerHistoryTests.Telemetry($"m{i:00}", i, i * 1e12, 3000 + i);
            string topic = FarmTopics.MinerTelemetry("s1", "r07", t.MinerId);
            await service.HandleAsync(new FarmReceivedMessage(FarmTopics.TryParse(topic)!, topic, t, Retained: false), CancellationToken.None);
        }

        Assert.True(await Eventually.TrueAsync(() => history.Statistics!.SpillFiles > 0, TimeSpan.FromSeconds(20)), $"no spill: {history.Statistics}");
        await _server.StartAgainAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await history.FlushAsync(deadline.Token);
        }

        Assert.Equal(0, history.Statistics!.PointsDropped);
        var rows = InfluxQueryResult.Rows(await _server.QueryAsync("farm", "SELECT power_w, miner FROM miner"));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"m{i:00}"), rows.Select(r => r.Row["miner"].GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, 10).Sum(i => 3000.0 + i), rows.Sum(r => r.Row["power_w"].GetDouble()));
    }
}
