using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace CloudMining.Farm.Systemd;

/// <summary>Registers the package's systemd integration (<see cref="SystemdLifetime"/>) and our <see cref="ProgressWatchdog"/> beside it.</summary>
public static class ProgressWatchdogServiceCollectionExtensions
{
    /// <summary>
    /// Microsoft.Extensions.Hosting.Systemd's <c>AddSystemd()</c> (READY=1, STOPPING=1, SIGTERM, the journal's console
    /// format: all only when systemd started us), then <see cref="ProgressWatchdog"/> for WATCHDOG=1 and STATUS=.
    /// </summary>
    /// <param name="environment">What systemd told the process; null reads it. <see cref="SystemdEnvironment.IsService"/>
    /// true where the package's own check says no (a test playing systemd with NOTIFY_SOCKET) registers the same lifetime.</param>
    public static IServiceCollection AddProgressWatchdog(this IServiceCollection services, SystemdEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        SystemdEnvironment env = environment ?? SystemdEnvironment.FromProcess();
        services.AddSystemd();
        if (env.IsService && !SystemdHelpers.IsSystemdService())
        {
            services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(env);
        services.AddOptions<ProgressWatchdogOptions>();
        services.AddSingleton<ProgressWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<ProgressWatchdog>());
        return services;
    }
}
