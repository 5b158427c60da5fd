using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>Registers pool-side verification: the three adapters over one HTTP client, the verifier and its background service.</summary>
public static class PoolSideServiceCollectionExtensions
{
    /// <summary>
    /// Expects <see cref="IControllerStore"/> (which must also be an <see cref="IPoolSideStore"/>, as the SQLite store is),
    /// <see cref="DeliveryProof"/>, <see cref="TimeProvider"/> and logging. Contracts without a pool watch are not read.
    /// </summary>
    public static IServiceCollection AddPoolSideVerification(this IServiceCollection services, PoolSideOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => new PoolRequestPacer(sp.GetRequiredService<TimeProvider>()));

        // One client for every pool: no cookies, no redirects to elsewhere with the key, the timeout per request.
        services.AddSingleton(_ => new PoolSideHttp(new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { Timeout = options.RequestTimeout }));
        services.AddSingleton<IPoolSideAdapter>(sp => new BraiinsPoolAdapter(sp.GetRequiredService<PoolSideHttp>().Client, sp.GetRequiredService<PoolRequestPacer>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BraiinsPoolAdapter>>()));
        services.AddSingleton<IPoolSideAdapter>(sp => new F2PoolAdapter(sp.GetRequiredService<PoolSideHttp>().Client, sp.GetRequiredService<PoolRequestPacer>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<F2PoolAdapter>>()));
        services.AddSingleton<IPoolSideAdapter>(sp => new HashrateOnlyAdapter(sp.GetRequiredService<PoolSideHttp>().Client, sp.GetRequiredService<PoolRequestPacer>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HashrateOnlyAdapter>>()));
        services.AddSingleton(sp =>
        {
            IControllerStore store = sp.GetRequiredService<IControllerStore>();
            IPoolSideStore poolStore = store as IPoolSideStore
                ?? throw new InvalidOperationException($"The controller store {store.GetType().Name} keeps no pool watches; pool-side verification needs the SQLite store.");
            DeliveryProof proof = sp.GetRequiredService<DeliveryProof>();
            return new PoolSideVerifier(store, poolStore, sp.GetServices<IPoolSideAdapter>(), proof.DeliveredHs, options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PoolSideVerifier>>());
        });
        services.AddHostedService(sp => new PoolSideService(sp.GetRequiredService<PoolSideVerifier>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PoolSideService>>()));
        return services;
    }
}
