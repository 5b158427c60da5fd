using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>The agent's heartbeat: polls the whole rack every interval and rewrites status.json after each cycle.</summary>
public sealed partial class PollingService : BackgroundService
{
    private readonly RackPoller _poller;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PollingService> _logger;
    private PollCycleResult? _lastCycle;
    private bool _statusWriteFailing;
    private bool _overrunning;

    public PollingService(RackPoller poller, IOptions<AgentOptions> options, TimeProvider time, ILogger<PollingService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _poller = poller ?? throw new ArgumentNullException(nameof(poller));
        _options = options.Value;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Raised on the polling loop after each cycle; handlers must return at once (hand the work to another task).</summary>
    public event EventHandler<PollCycleCompletedEventArgs>? CycleCompleted;

    /// <summary>The most recent finished cycle, or null before the first one ends.</summary>
    public PollCycleResult? LastCycle => Volatile.Read(ref _lastCycle);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset startedAt = _time.GetUtcNow();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            double interval = Seconds(_options.PollInterval);
            string statusPath = StatusFile.PathIn(_options.StateDirectory);
            LogStarted(_logger, _poller.MinerCount, _options.RackId, _options.Site, interval, _options.MaxConcurrency, statusPath);
        }

        // The timer ticks on the interval grid; a cycle that overruns makes the next start at once rather than pile up,
        // because the loop awaits each cycle before waiting for the next tick: cycles never overlap.
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        do
        {
            PollCycleResult cycle = await _poller.PollOnceAsync(stoppingToken);
            Volatile.Write(ref _lastCycle, cycle);
            NoteOverrun(cycle);
            await WriteStatusAsync(cycle, startedAt, stoppingToken);
            CycleCompleted?.Invoke(this, new PollCycleCompletedEventArgs(cycle, _poller.Tracker.Current()));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        LogStopped(_logger, LastCycle?.Cycle ?? 0);
    }

    private void NoteOverrun(PollCycleResult cycle)
    {
        bool over = cycle.Duration > _options.PollInterval;
        if (over && !_overrunning && _logger.IsEnabled(LogLevel.Warning))
        {
            double duration = Seconds(cycle.Duration);
            double interval = Seconds(_options.PollInterval);
            LogOverrun(_logger, cycle.Cycle, duration, interval);
        }
        else if (!over && _overrunning && _logger.IsEnabled(LogLevel.Information))
        {
            double duration = Seconds(cycle.Duration);
            LogWithinInterval(_logger, cycle.Cycle, duration);
        }

        _overrunning = over;
    }

    private async Task WriteStatusAsync(PollCycleResult cycle, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        try
        {
            AgentStatusDocument doc = StatusDocumentFactory.Create(_options, _poller.Tracker.Current(), cycle, startedAt, _time.GetUtcNow());
            await StatusFile.WriteAsync(_options.StateDirectory, doc, cancellationToken);
            if (_statusWriteFailing && _logger.IsEnabled(LogLevel.Information))
            {
                string statusPath = StatusFile.PathIn(_options.StateDirectory);
                LogStatusWritable(_logger, statusPath);
            }

            _statusWriteFailing = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Polling goes on without the file; say so once, not every cycle.
            if (!_statusWriteFailing && _logger.IsEnabled(LogLevel.Error))
            {
                string statusPath = StatusFile.PathIn(_options.StateDirectory);
                LogStatusNotWritable(_logger, statusPath, e.Message);
            }

            _statusWriteFailing = true;
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
