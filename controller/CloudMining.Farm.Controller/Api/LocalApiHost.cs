using CloudMining.Farm.Controller.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

/// <summary>Starts the local API of `farm-controller run` over the operations the controller's host provides.</summary>
public static partial class LocalApiHost
{
    /// <summary>Null when Controller:Api:Enabled is false or the host has no operations engine yet (logged).</summary>
    public static async Task<LocalApiServer?> StartAsync(IServiceProvider services, LocalApiOptions options, CancellationToken cancellationToken, Leadership.ControllerLeadership? leadership = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ILoggerFactory loggers = services.GetRequiredService<ILoggerFactory>();
        ILogger logger = loggers.CreateLogger("CloudMining.Farm.Controller.Api.LocalApi");
        if (!options.Enabled)
        {
            LogDisabled(logger);
            return null;
        }

        IControllerOperations? operations = services.GetService<IControllerOperations>();
        if (operations is null)
        {
            LogNoOperations(logger);
            return null;
        }

        return await LocalApiServer.StartAsync(operations, options, loggers, services.GetService<TimeProvider>() ?? TimeProvider.System, cancellationToken, leadership);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local API disabled (Controller:Api:Enabled is false); farmctl cannot reach this controller")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local API not started: this build registers no IControllerOperations engine")]
    private static partial void LogNoOperations(ILogger logger);
}
