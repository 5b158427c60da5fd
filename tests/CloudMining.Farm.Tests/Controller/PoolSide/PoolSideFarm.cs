using System.Net;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.PoolApi;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace CloudMining.Farm.Tests.Controller.PoolSide;

/// <summary>
/// Two simulated miners on a fake clock, one mining to "alice.rig1" on a Braiins-like pool and one to "bob.rig2" on an
/// F2Pool-like pool, with the simulated pools' APIs on loopback and the adapters pointed at them.
/// </summary>
internal sealed class PoolSideFarm : IAsyncDisposable
{
    public const string BraiinsUrl = "stratum+tcp://braiins.sim:3333";
    public const string F2PoolUrl = "stratum+tcp://f2pool.sim:1314";
    public const string BraiinsToken = "brk-Zm1oK8hGaDExOBaE";
    public const string F2PoolSecret = "f2s-9c1e77d0aa41b";
    public const string HashrateOnlyKey = "gen-41d2c3b4";

    private PoolSideFarm(FakeTimeProvider clock, SimulatedFarm farm, PoolApiServer api, InMemoryLoggerProvider logs)
    {
        Clock = clock;
        Farm = farm;
        Api = api;
        Logs = logs;
        Pacer = new PoolRequestPacer(clock);
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Braiins = new BraiinsPoolAdapter(Http, Pacer, clock, logs.CreateLogger<BraiinsPoolAdapter>());
        F2Pool = new F2PoolAdapter(Http, Pacer, clock, logs.CreateLogger<F2PoolAdapter>());
        HashrateOnly = new HashrateOnlyAdapter(Http, Pacer, clock, logs.CreateLogger<HashrateOnlyAdapter>());
    }

    public FakeTimeProvider Clock { get; }

    public SimulatedFarm Farm { get; }

    public PoolApiServer Api { get; }

    public InMemoryLoggerProvider Logs { get; }

    public PoolRequestPacer Pacer { get; }

    public HttpClient Http { get; }

    public BraiinsPoolAdapter Braiins { get; }

    public F2PoolAdapter F2Pool { get; }

    public HashrateOnlyAdapter HashrateOnly { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public static async Task<PoolSideFarm> StartAsync(TimeSpan mined)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        SimulatedFarm farm = await TestFarms.StartAsync("antminer", miners: 2, clock: clock, customize: (i, spec) => spec with
        {
            Pools = [i == 0 ? new PoolDefinition(BraiinsUrl, "alice.rig1") : new PoolDefinition(F2PoolUrl, "bob.rig2")],
        });
        PoolApiServer api;
        try
        {
            api = await PoolApiServer.StartAsync(
                farm,
                new IPEndPoint(IPAddress.Loopback, FreeTcpPort.Next()),
                [
                    new PoolApiAccount(PoolApiStyle.Braiins, BraiinsToken, "alice", [BraiinsUrl]),
                    new PoolApiAccount(PoolApiStyle.F2Pool, F2PoolSecret, "bob", [F2PoolUrl]),
                    new PoolApiAccount(PoolApiStyle.HashrateOnly, HashrateOnlyKey, "alice", [BraiinsUrl]),
                ],
                clock);
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }

        clock.Advance(mined);
        return new PoolSideFarm(clock, farm, api, new InMemoryLoggerProvider());
    }

    public PoolWatch Watch(PoolApiKind kind, string worker, string key) =>
        PoolWatch.Create(kind, Api.Url.AbsoluteUri, worker, PoolSecret.Of(key));

    /// <summary>The simulated pool's own figure for a worker over the last <paramref name="window"/>.</summary>
    public PoolWindow Ledger(string worker, TimeSpan window) => Farm.Pools.Window(worker, Now - window, Now);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Api.DisposeAsync();
        await Farm.DisposeAsync();
        Logs.Dispose();
    }
}
