using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>The local API on a real Kestrel on a free loopback port, over a stateful in-memory engine.</summary>
public sealed class TestApi : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir;

    private TestApi(InMemoryControllerOperations operations, LocalApiServer server, string dir, string tokenFile)
    {
        Operations = operations;
        Server = server;
        _dir = dir;
        TokenFile = tokenFile;
        Http = OperatorHttpHandler.Client(server.Address, tokenFile);
    }

    public InMemoryControllerOperations Operations { get; }

    public LocalApiServer Server { get; }

    /// <summary>An operator's client: the token and JSON content type farmctl sends.</summary>
    public HttpClient Http { get; }

    /// <summary>The token file the server created at start (in a temporary folder of its own).</summary>
    public string TokenFile { get; }

    public string Token => File.ReadAllText(TokenFile).Trim();

    public string Url => Server.Address.ToString().TrimEnd('/');

    public static async Task<TestApi> StartAsync()
    {
        var operations = InMemoryControllerOperations.ThreeRacks(Now);
        string dir = Directory.CreateTempSubdirectory("local-api-").FullName;
        string tokenFile = Path.Combine(dir, LocalApiToken.DefaultFileName);
        var options = new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = tokenFile };
        LocalApiServer server = await LocalApiServer.StartAsync(operations, options, NullLoggerFactory.Instance, new FakeTimeProvider(Now), CancellationToken.None);
        return new TestApi(operations, server, dir, tokenFile);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
