using CloudMining.Farm.Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>Registers the fan and heat loops in the agent host, only when the hardware map lists fans or sensors.</summary>
public static class ThermalServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ThermalService"/> when Agent:Hardware:Fans or Agent:Hardware:Sensors has entries. It takes the
    /// relay controller (IMinerPower) and the desired pool state (IDesiredPoolStateView) from the container when they
    /// are registered; without a relay controller it drives fans only.
    /// </summary>
    public static IServiceCollection AddThermalControl(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection hardware = configuration.GetSection(AgentOptions.SectionName).GetSection(nameof(AgentOptions.Hardware));
        bool any = hardware.GetSection(nameof(HardwareOptions.Fans)).GetChildren().Any()
            || hardware.GetSection(nameof(HardwareOptions.Sensors)).GetChildren().Any();
        if (!any)
        {
            return services;
        }

        services.AddSingleton<ThermalService>();
        services.AddHostedService(sp => sp.GetRequiredService<ThermalService>());
        return services;
    }
}
