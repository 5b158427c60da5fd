using Xunit;

namespace CloudMining.Farm.Tests.Infrastructure;

/// <summary>One PostgreSQL server per test collection (started on first use, stopped when the collection ends); each test takes its own database.</summary>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    private readonly object _sync = new();
    private Task<PostgreSqlServer>? _starting;

    /// <summary>The running server (started on the first call; started again if a crash test left it down).</summary>
    public async Task<PostgreSqlServer> ServerAsync()
    {
        Task<PostgreSqlServer> starting;
        lock (_sync)
        {
            starting = _starting ??= PostgreSqlServer.StartAsync();
        }

        PostgreSqlServer server = await starting;
        await server.StartAgainAsync();
        return server;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_starting is { IsCompletedSuccessfully: true })
        {
            await (await _starting).DisposeAsync();
        }
    }
}

/// <summary>The tests that share one PostgreSQL server (run one after another, so a crash test cannot hit a neighbour).</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlServers : ICollectionFixture<PostgreSqlFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>Marks a test class whose <see cref="StoreFactAttribute"/> tests need PostgreSQL: they are skipped, with <see cref="PostgreSqlServer.SkipReason"/> in the output, where it is not installed.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgreSqlAttribute : Attribute;
