using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using InfluxDB.Client.Api.Domain;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>One influxd (no auth) shared by a test class; each test makes its own database.</summary>
public sealed class InfluxdFixture : IAsyncLifetime
{
    private int _databases;

    public InfluxdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await InfluxdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public async Task<string> NewDatabaseAsync()
    {
        string name = $"test{Interlocked.Increment(ref _databases)}";
        await Server.CreateDatabaseAsync(name);
        return name;
    }

    public InfluxDBClientOptions Options(string database, WritePrecision precision = WritePrecision.Ns) => new()
    {
        Url = Server.Url,
        Database = database,
        Precision = precision,
    };
}
