using System.Threading.Channels;
using CloudMining.Farm.Agent.Polling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>Runs the <see cref="MinerWatchdog"/> off the polling loop: each finished cycle is handed over at once; a cycle that arrives while steps are still running replaces any older one waiting.</summary>
public sealed partial class WatchdogService : BackgroundService
{
    private readonly PollingService _polling;
    private readonly MinerWatchdog _watchdog;
    private readonly ILogger<WatchdogService> _logger;
    private readonly Channel<IReadOnlyList<MinerPollStatus>> _cycles = Channel.CreateBounded<IReadOnlyList<MinerPollStatus>>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public WatchdogService(PollingService polling, MinerWatchdog watchdog, ILogger<WatchdogService> logger)
    {
        _polling = polling ?? throw new ArgumentNullException(nameof(polling));
        _watchdog = watchdog ?? throw new ArgumentNullException(nameof(watchdog));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _polling.CycleCompleted += OnCycle;
        try
        {
            await foreach (IReadOnlyList<MinerPollStatus> miners in _cycles.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await _watchdog.ObserveAsync(miners, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug in one step must not end the watchdog for the whole rack; the next cycle tries again.
                    LogStepFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _polling.CycleCompleted -= OnCycle;
        }
    }

    private void OnCycle(object? sender, PollCycleCompletedEventArgs e) => _cycles.Writer.TryWrite(e.Miners);

    [LoggerMessage(Level = LogLevel.Error, Message = "A watchdog step failed; the watchdog goes on with the next poll cycle")]
    private static partial void LogStepFailed(ILogger logger, Exception exception);
}
