using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace CloudMining.Farm.Systemd;

/// <summary>AddSystemd(): our stand-in for Microsoft.Extensions.Hosting.Systemd's extension of the same name.</summary>
public static class SystemdServiceCollectionExtensions
{
    /// <summary>Registers the notifier and <see cref="SystemdNotifyService"/>; harmless outside systemd (no NOTIFY_SOCKET: nothing is sent).</summary>
    public static IServiceCollection AddSystemd(this IServiceCollection services, SystemdEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        SystemdEnvironment env = environment ?? SystemdEnvironment.FromProcess();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(env);
        services.AddSingleton<ISystemdNotifier>(_ => new SystemdNotifier(env.NotifySocket));
        services.AddOptions<SystemdNotifyOptions>();
        services.AddSingleton<SystemdNotifyService>();
        services.AddHostedService(sp => sp.GetRequiredService<SystemdNotifyService>());
        if (env.NotifySocket is not null || env.JournalStream)
        {
            // "Application started. Press Ctrl+C to shut down." means nothing in the journal.
            services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        }

        return services;
    }
}
