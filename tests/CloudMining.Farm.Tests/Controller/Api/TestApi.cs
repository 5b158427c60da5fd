using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>The local API on a real Kestrel on a free loopback port, over a stateful in-memory engine.</summary>
public sealed class TestApi : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private TestApi(InMemoryControllerOperations operations, LocalApiServer server)
    {
        Operations = operations;
        Server = server;
        Http = new HttpClient { BaseAddress = server.Address };
    }

    public InMemoryControllerOperations Operations { get; }

    public LocalApiServer Server { get; }

    public HttpClient Http { get; }

    public string Url => Server.Address.ToString().TrimEnd('/');

    public static async Task<TestApi> StartAsync()
    {
        var operations = InMemoryControllerOperations.ThreeRacks(Now);
        var options = new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}" };
        LocalApiServer server = await LocalApiServer.StartAsync(operations, options, NullLoggerFactory.Instance, new ManualTimeProvider(Now), CancellationToken.None);
        return new TestApi(operations, server);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
