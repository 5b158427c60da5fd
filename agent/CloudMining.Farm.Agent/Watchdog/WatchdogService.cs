using System.Threading.Channels;
using CloudMining.Farm.Agent.Polling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>Runs the <see cref="MinerWatchdog"/> off the polling loop: each finished cycle is handed over at once; a cycle that arrives while steps are still running replaces any older one waiting.</summary>
public sealed partial class WatchdogService : BackgroundService
{
    private readonly PollingService polling;
    private readonly MinerWatchdog watchdog;
    private readonly ILogger<WatchdogService> logger;
    private readonly Channel<IReadOnlyList<MinerPollStatus>> cycles = Channel.CreateBounded<IReadOnlyList<MinerPollStatus>>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public WatchdogService(PollingService polling, MinerWatchdog watchdog, ILogger<WatchdogService> logger)
    {
        this.polling = polling ?? throw new ArgumentNullException(nameof(polling));
        this.watchdog = watchdog ?? throw new ArgumentNullException(nameof(watchdog));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        polling.CycleCompleted += OnCycle;
        try
        {
            await foreach (IReadOnlyList<MinerPollStatus> miners in cycles.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await watchdog.ObserveAsync(miners, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug in one step must not end the watchdog for the whole rack; the next cycle tries again.
                    LogStepFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            polling.CycleCompleted -= OnCycle;
        }
    }

    private void OnCycle(object? sender, PollCycleCompletedEventArgs e) => cycles.Writer.TryWrite(e.Miners);

    [LoggerMessage(Level = LogLevel.Error, Message = "A watchdog step failed; the watchdog goes on with the next poll cycle")]
    private static partial void LogStepFailed(ILogger logger, Exception exception);
}
