using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CloudMining.Farm.Controller.Store;

/// <summary>Registers the store feature: its options (validated at start) and the opened store.</summary>
public static class StoreServiceCollectionExtensions
{
    /// <summary><see cref="StoreOptions"/> as bound and checked, and <paramref name="store"/> (opened by the caller, who disposes it after the host stops).</summary>
    public static IServiceCollection AddControllerStore(this IServiceCollection services, StoreOptions options, IControllerStore store)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(store);
        services.AddBoundOptions<StoreOptions, StoreOptionsValidator>(options);
        services.AddSingleton(store);
        return services;
    }
}
