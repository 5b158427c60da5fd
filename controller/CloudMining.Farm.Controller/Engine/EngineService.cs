using CloudMining.Farm.Controller.Curtailment.Signals;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// Runs the engine's control loop every Controller:Engine:IntervalS on the <see cref="TimeProvider"/>, with the
/// controller's publishing MQTT client (its own client id, "{ClientId}-engine"), subscribed to the agents' reported state.
/// </summary>
public sealed partial class EngineService : BackgroundService
{
    private readonly ControllerOptions _options;
    private readonly ControllerEngine _engine;
    private readonly FarmMqttClient _client;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EngineService(ControllerOptions options, ControllerEngine engine, FarmMqttClient client, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _time = time ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<EngineService>();
    }

    /// <summary>Completes once the reported-state subscription is granted.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>Control-loop ticks that failed (logged); the loop continues.</summary>
    public long FailedTicks { get; private set; }

    /// <summary>The publishing client's options for the controller: "{ClientId}-engine" as user "{Username}-engine" (the broker allows one connection per user), same password, auto-reconnect.</summary>
    public static MqttClientOptions ClientOptions(ControllerMqttOptions mqtt)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        return mqtt.ToClientOptions("-engine");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.ConnectedAsync += _ =>
        {
            connected.TrySetResult();
            return Task.CompletedTask;
        };
        // Curtailment signals (energy price, demand response) come on the same connection without the farm envelope.
        var subscriber = new FarmSubscriber(_client, HandleAsync, _loggerFactory.CreateLogger<FarmSubscriber>()) { Ignore = t => SignalTopics.TryParse(t, out _, out _) };
        _client.ApplicationMessageReceivedAsync += e => SignalTopics.TryParse(e.ApplicationMessage.Topic, out _, out _)
            ? _engine.AcceptSignalAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), stoppingToken)
            : Task.CompletedTask;
        try
        {
            await _client.StartAsync(stoppingToken);
            await connected.Task.WaitAsync(stoppingToken);
            MqttClientSubscribeResult result = await subscriber.SubscribeAsync([$"{FarmTopics.Root}/{_options.Site}/+/reported", SignalTopics.Filter(_options.Site)], stoppingToken);
            if (!result.AllGranted)
            {
                throw new InvalidOperationException($"The broker refused the controller's subscription to farm/v1/{_options.Site}/+/reported; check the ACL of user {_options.Mqtt.Username ?? "(anonymous)"} (it also reads farm/v1/{_options.Site}/signals/+).");
            }
        }
        catch (Exception e)
        {
            _subscribed.TrySetException(e);
            throw;
        }

        _subscribed.TrySetResult();
        using var timer = new PeriodicTimer(_options.Engine.Durations().TickInterval, _time);
        try
        {
            do
            {
                try
                {
                    await _engine.TickAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad tick (a store hiccup) must not stop enforcement; the next tick starts from the stored state.
                    FailedTicks++;
                    LogTickFailed(_logger, e, FailedTicks);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _client.DisposeAsync();
    }

    private Task HandleAsync(FarmReceivedMessage message, CancellationToken cancellationToken)
    {
        if (message.Payload is ReportedPoolStatePayload reported)
        {
            _engine.OnReported(reported);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Control-loop tick failed ({Failed} so far); retrying on the next tick")]
    private static partial void LogTickFailed(ILogger logger, Exception exception, long failed);
}
