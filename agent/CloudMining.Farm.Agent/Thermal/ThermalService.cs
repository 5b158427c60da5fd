using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Agent.Power;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// Runs the rack's fans and heat protection: a fan loop (sensors and chips → duty) and a protection loop (miner
/// over-temperature cut, rack load shedding) on Agent:Thermal:ControlInterval. Two loops so that a relay action waiting
/// its turn (staggered power-up) never holds the fans at a stale duty. Leaves every fan at 100 % when it stops.
/// </summary>
public sealed partial class ThermalService : BackgroundService
{
    private readonly AgentOptions _options;
    private readonly MinerHealthTracker _tracker;
    private readonly TimeProvider _time;
    private readonly ILogger<ThermalService> _logger;
    private long _fanPasses;
    private long _protectionPasses;

    public ThermalService(
        IOptions<AgentOptions> options,
        MinerHealthTracker tracker,
        RackEventBus events,
        TimeProvider time,
        ILoggerFactory loggers,
        IMinerPower? power = null,
        IDesiredPoolStateView? desired = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options.Value;
        _tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = loggers.CreateLogger<ThermalService>();
        Fans = new FanController(_options, events, time, loggers.CreateLogger<FanController>());
        if (power is not null)
        {
            Guard = new MinerOverheatGuard(_options, power, events, time, loggers.CreateLogger<MinerOverheatGuard>());
            Shedder = new RackLoadShedder(_options, power, desired, Guard, events, time, loggers.CreateLogger<RackLoadShedder>());
        }
    }

    public FanController Fans { get; }

    /// <summary>Null when no relay controller is registered: the agent then only drives fans.</summary>
    public MinerOverheatGuard? Guard { get; }

    public RackLoadShedder? Shedder { get; }

    /// <summary>Fan passes completed; lets tests wait for the loop.</summary>
    public long FanPasses => Interlocked.Read(ref _fanPasses);

    /// <summary>Protection passes completed.</summary>
    public long ProtectionPasses => Interlocked.Read(ref _protectionPasses);

    /// <summary>Opens every fan group at 100 % before the loops start, so a channel that cannot be driven stops the agent with its name.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Fans.Start();
        if (Guard is null)
        {
            LogNoRelays(_logger);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <summary>Stops both loops, then drives every fan group to 100 %: nobody watches the heat once the agent is gone.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            Fans.FullSpeed();
            LogFullSpeed(_logger, Fans.Groups.Count);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunFansAsync(stoppingToken), RunProtectionAsync(stoppingToken));

    private async Task RunFansAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Thermal.ControlInterval, _time);
        do
        {
            try
            {
                await Fans.StepAsync(_tracker.Current(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An unexpected failure must not end the loop; the safe state meanwhile is full speed.
                LogFanPassFailed(_logger, e);
                Fans.FullSpeed();
            }

            Interlocked.Increment(ref _fanPasses);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RunProtectionAsync(CancellationToken stoppingToken)
    {
        if (Guard is null || Shedder is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.Thermal.ControlInterval, _time);
        do
        {
            try
            {
                IReadOnlyList<MinerPollStatus> miners = _tracker.Current();
                await Guard.StepAsync(miners, stoppingToken);
                // An air reading older than a few intervals means the fan loop is stuck: shed nothing on stale air.
                RackAirReading air = Fans.LatestAir;
                bool fresh = _time.GetUtcNow() - air.At <= _options.Thermal.ControlInterval * 3;
                await Shedder.StepAsync(fresh ? air.Exhaust : null, miners, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogProtectionPassFailed(_logger, e);
            }

            Interlocked.Increment(ref _protectionPasses);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No relay controller is registered: fans are driven, but over-temperature cuts and load shedding are off")]
    private static partial void LogNoRelays(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thermal control stopped; {FanGroups} fan group(s) left at 100 %")]
    private static partial void LogFullSpeed(ILogger logger, int fanGroups);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fan control pass failed; fans set to 100 % until the next pass")]
    private static partial void LogFanPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Thermal protection pass failed; trying again next interval")]
    private static partial void LogProtectionPassFailed(ILogger logger, Exception exception);
}
