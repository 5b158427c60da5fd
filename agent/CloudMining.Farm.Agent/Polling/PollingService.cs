using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>The agent's heartbeat: polls the whole rack every interval and rewrites status.json after each cycle.</summary>
public sealed partial class PollingService : BackgroundService
{
    private readonly RackPoller poller;
    private readonly AgentOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<PollingService> logger;
    private PollCycleResult? lastCycle;
    private bool statusWriteFailing;
    private bool overrunning;

    public PollingService(RackPoller poller, IOptions<AgentOptions> options, TimeProvider time, ILogger<PollingService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.poller = poller ?? throw new ArgumentNullException(nameof(poller));
        this.options = options.Value;
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Raised on the polling loop after each cycle; handlers must return at once (hand the work to another task).</summary>
    public event EventHandler<PollCycleCompletedEventArgs>? CycleCompleted;

    /// <summary>The most recent finished cycle, or null before the first one ends.</summary>
    public PollCycleResult? LastCycle => Volatile.Read(ref lastCycle);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset startedAt = time.GetUtcNow();
        if (logger.IsEnabled(LogLevel.Information))
        {
            double interval = Seconds(options.PollInterval);
            string statusPath = StatusFile.PathIn(options.StateDirectory);
            LogStarted(logger, poller.MinerCount, options.RackId, options.Site, interval, options.MaxConcurrency, statusPath);
        }

        // The timer ticks on the interval grid; a cycle that overruns makes the next start at once rather than pile up,
        // because the loop awaits each cycle before waiting for the next tick: cycles never overlap.
        using var timer = new PeriodicTimer(options.PollInterval, time);
        do
        {
            PollCycleResult cycle = await poller.PollOnceAsync(stoppingToken);
            Volatile.Write(ref lastCycle, cycle);
            NoteOverrun(cycle);
            await WriteStatusAsync(cycle, startedAt, stoppingToken);
            CycleCompleted?.Invoke(this, new PollCycleCompletedEventArgs(cycle, poller.Tracker.Current()));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        LogStopped(logger, LastCycle?.Cycle ?? 0);
    }

    private void NoteOverrun(PollCycleResult cycle)
    {
        bool over = cycle.Duration > options.PollInterval;
        if (over && !overrunning && logger.IsEnabled(LogLevel.Warning))
        {
            double duration = Seconds(cycle.Duration);
            double interval = Seconds(options.PollInterval);
            LogOverrun(logger, cycle.Cycle, duration, interval);
        }
        else if (!over && overrunning && logger.IsEnabled(LogLevel.Information))
        {
            double duration = Seconds(cycle.Duration);
            LogWithinInterval(logger, cycle.Cycle, duration);
        }

        overrunning = over;
    }

    private async Task WriteStatusAsync(PollCycleResult cycle, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        try
        {
            AgentStatusDocument doc = StatusDocumentFactory.Create(options, poller.Tracker.Current(), cycle, startedAt, time.GetUtcNow());
            await StatusFile.WriteAsync(options.StateDirectory, doc, cancellationToken);
            if (statusWriteFailing && logger.IsEnabled(LogLevel.Information))
            {
                string statusPath = StatusFile.PathIn(options.StateDirectory);
                LogStatusWritable(logger, statusPath);
            }

            statusWriteFailing = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Polling goes on without the file; say so once, not every cycle.
            if (!statusWriteFailing && logger.IsEnabled(LogLevel.Error))
            {
                string statusPath = StatusFile.PathIn(options.StateDirectory);
                LogStatusNotWritable(logger, statusPath, e.Message);
            }

            statusWriteFailing = true;
        }
    }

    /// <summary>Durations as plain seconds: log sinks quote TimeSpan values, and "1.08 s" reads better than "00:00:01.0800007".</summary>
    private static double Seconds(TimeSpan t) => Math.Round(t.TotalSeconds, 3);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling {MinerCount} miners of rack {RackId} at {Site} every {PollInterval} s, {MaxConcurrency} at a time; status in {StatusPath}")]
    private static partial void LogStarted(ILogger logger, int minerCount, string rackId, string site, double pollInterval, int maxConcurrency, string statusPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "Polling stopped after {Cycles} cycles")]
    private static partial void LogStopped(ILogger logger, long cycles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poll cycle {Cycle} took {Duration} s, longer than the {PollInterval} s interval; raise Agent:MaxConcurrency or Agent:PollInterval")]
    private static partial void LogOverrun(ILogger logger, long cycle, double duration, double pollInterval);

    [LoggerMessage(Level = LogLevel.Information, Message = "Poll cycle {Cycle} took {Duration} s, within the interval again")]
    private static partial void LogWithinInterval(ILogger logger, long cycle, double duration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing {StatusPath} works again")]
    private static partial void LogStatusWritable(ILogger logger, string statusPath);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot write {StatusPath}: {Error}; check that the agent may write Agent:StateDirectory")]
    private static partial void LogStatusNotWritable(ILogger logger, string statusPath, string error);
}
