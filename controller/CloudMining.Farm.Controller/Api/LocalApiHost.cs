using CloudMining.Farm.Controller.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

/// <summary>Starts the local API of `farm-controller run` over the operations the controller's host provides.</summary>
public static class LocalApiHost
{
    /// <summary>Null when Controller:Api:Enabled is false or the host has no operations engine yet (logged).</summary>
    public static async Task<LocalApiServer?> StartAsync(IServiceProvider services, LocalApiOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ILoggerFactory loggers = services.GetRequiredService<ILoggerFactory>();
        ILogger logger = loggers.CreateLogger("CloudMining.Farm.Controller.Api.LocalApi");
        if (!options.Enabled)
        {
            logger.LogInformation("Local API disabled (Controller:Api:Enabled is false); farmctl cannot reach this controller");
            return null;
        }

        IControllerOperations? operations = services.GetService<IControllerOperations>();
        if (operations is null)
        {
            logger.LogWarning("Local API not started: this build registers no IControllerOperations engine");
            return null;
        }

        return await LocalApiServer.StartAsync(operations, options, loggers, services.GetService<TimeProvider>() ?? TimeProvider.System, cancellationToken);
    }
}
