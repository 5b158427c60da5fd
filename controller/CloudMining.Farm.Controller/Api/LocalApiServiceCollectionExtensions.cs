using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CloudMining.Farm.Controller.Api;

/// <summary>Registers the local API's options (Controller:Api), validated again when the host starts.</summary>
public static class LocalApiServiceCollectionExtensions
{
    public static IServiceCollection AddControllerApi(this IServiceCollection services, LocalApiOptions options) =>
        services.AddBoundOptions<LocalApiOptions, LocalApiOptionsValidator>(options);
}
