using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CloudMining.Farm.Controller.Platform;

/// <summary>Registers the platform publishing options (Controller:Engine:PlatformPublishInterval), validated again when the host starts.</summary>
public static class PlatformServiceCollectionExtensions
{
    public static IServiceCollection AddControllerPlatformPublishing(this IServiceCollection services, PlatformPublishingOptions options) =>
        services.AddBoundOptions<PlatformPublishingOptions, PlatformPublishingOptionsValidator>(options);
}
