using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>Runs <see cref="PoolSideVerifier"/> rounds every few seconds (each watch is read only when its own interval is due) until the controller stops.</summary>
public sealed partial class PoolSideService(PoolSideVerifier verifier, TimeProvider time, ILogger<PoolSideService> logger) : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await verifier.RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(logger, e);
            }

            try
            {
                await Task.Delay(Round, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A pool-side verification round failed; the next round retries")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
