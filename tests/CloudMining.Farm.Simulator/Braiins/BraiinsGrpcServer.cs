using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Simulator.Braiins;

/// <summary>
/// Braiins OS+'s public gRPC API for every simulated Braiins miner of a farm: one Kestrel app (plain HTTP/2, no TLS,
/// as BOS+ serves it on 50051) listening on each miner's own address and web port, so a farm of dozens of miners
/// starts one server, not dozens. A call is routed to the miner by the local address and port it arrived on.
/// </summary>
internal sealed class BraiinsGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BraiinsGrpcServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Starts the server for the miners whose firmware serves the API and that have a web port; null when none has.</summary>
    public static async Task<BraiinsGrpcServer?> StartAsync(IReadOnlyList<SimulatedMiner> miners, CancellationToken cancellationToken)
    {
        var served = miners.Where(m => m.Personality.ServesBraiinsGrpc && m.Spec.WebPort is not null).ToList();
        if (served.Count == 0)
        {
            return null;
        }

        var registry = new BraiinsMinerRegistry();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(o => o.Interceptors.Add<SlowMinerInterceptor>());
        builder.Services.AddSingleton(registry);
        var listens = new List<(SimulatedMiner Miner, ListenOptions Options)>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (SimulatedMiner m in served)
            {
                kestrel.Listen(m.Spec.Address, m.Spec.WebPort!.Value, o =>
                {
                    o.Protocols = HttpProtocols.Http2;
                    listens.Add((m, o));
                });
            }
        });
        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            // A hung miner (the "hang" fault) accepts the connection and never answers, on this port as on 4028.
            SimulatedMiner? miner = registry.Find(context.Connection.LocalIpAddress, context.Connection.LocalPort);
            if (miner?.NetworkFault?.Kind == Faults.FaultKind.Hang)
            {
                using var hang = CancellationTokenSource.CreateLinkedTokenSource(miner.HangReleased, context.RequestAborted);
                try
                {
                    await Task.Delay(Timeout.Infinite, hang.Token);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException)
                {
                    // The hang was released: the call goes on.
                }
            }

            await next(context);
        });
        app.MapGrpcService<AuthenticationApi>();
        app.MapGrpcService<ActionsApi>();
        app.MapGrpcService<PoolApi>();
        app.MapGrpcService<PerformanceApi>();
        app.MapGrpcService<ConfigurationApi>();
        app.MapGrpcService<MinerApi>();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(
                $"The simulated Braiins OS+ gRPC API cannot listen on every miner's web port ({e.Message}). Pick another --web-port, or stop whatever already listens there.", e);
        }

        foreach ((SimulatedMiner miner, ListenOptions options) in listens)
        {
            // Kestrel puts the bound endpoint (the kernel's port for port 0) back into the listen options.
            IPEndPoint bound = options.IPEndPoint!;
            miner.GrpcEndPoint = bound;
            registry.Add(bound, miner);
        }

        return new BraiinsGrpcServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>A busy miner: a call to a miner with a <see cref="SimulatedMiner.GrpcReplyDelay"/> is served that much later, or not at all when the client gave up first.</summary>
internal sealed class SlowMinerInterceptor(BraiinsMinerRegistry registry) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        HttpContext http = context.GetHttpContext();
        if (registry.Find(http.Connection.LocalIpAddress, http.Connection.LocalPort)?.GrpcReplyDelay is { } delay && delay > TimeSpan.Zero)
        {
            // The simulated miner's behaviour, not synchronisation: it answers this late. The call's token ends the wait when the client leaves.
            await Task.Delay(delay, context.CancellationToken);
        }

        return await continuation(request, context);
    }
}

/// <summary>Which simulated miner listens on which local endpoint.</summary>
internal sealed class BraiinsMinerRegistry
{
    private readonly ConcurrentDictionary<(string Address, int Port), SimulatedMiner> _byEndPoint = new();

    public void Add(IPEndPoint endPoint, SimulatedMiner miner) => _byEndPoint[(Normal(endPoint.Address), endPoint.Port)] = miner;

    public SimulatedMiner? Find(IPAddress? address, int port) =>
        address is not null && _byEndPoint.TryGetValue((Normal(address), port), out SimulatedMiner? miner) ? miner : null;

    private static string Normal(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
