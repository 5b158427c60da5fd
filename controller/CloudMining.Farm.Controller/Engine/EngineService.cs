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
public sealed class EngineService : BackgroundService
{
    private readonly ControllerOptions options;
    private readonly ControllerEngine engine;
    private readonly FarmMqttClient client;
    private readonly TimeProvider time;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;
    private readonly TaskCompletionSource subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EngineService(ControllerOptions options, ControllerEngine engine, FarmMqttClient client, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.engine = engine ?? throw new ArgumentNullException(nameof(engine));
        this.client = client ?? throw new ArgumentNullException(nameof(client));
        this.time = time ?? TimeProvider.System;
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        logger = this.loggerFactory.CreateLogger<EngineService>();
    }

    /// <summary>Completes once the reported-state subscription is granted.</summary>
    public Task Subscribed => subscribed.Task;

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
        client.ConnectedAsync += _ =>
        {
            connected.TrySetResult();
            return Task.CompletedTask;
        };
        var subscriber = new FarmSubscriber(client, HandleAsync, loggerFactory.CreateLogger<FarmSubscriber>());
        try
        {
            await client.StartAsync(stoppingToken);
            await connected.Task.WaitAsync(stoppingToken);
            MqttClientSubscribeResult result = await subscriber.SubscribeAsync([$"{FarmTopics.Root}/{options.Site}/+/reported"], stoppingToken);
            if (!result.AllGranted)
            {
                throw new InvalidOperationException($"The broker refused the controller's subscription to farm/v1/{options.Site}/+/reported; check the ACL of user {options.Mqtt.Username ?? "(anonymous)"}.");
            }
        }
        catch (Exception e)
        {
            subscribed.TrySetException(e);
            throw;
        }

        subscribed.TrySetResult();
        using var timer = new PeriodicTimer(options.Engine.Durations().TickInterval, time);
        try
        {
            do
            {
                try
                {
                    await engine.TickAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad tick (a store hiccup) must not stop enforcement; the next tick starts from the stored state.
                    FailedTicks++;
                    logger.LogError(e, "Control-loop tick failed ({Failed} so far); retrying on the next tick", FailedTicks);
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
        await client.DisposeAsync();
    }

    private Task HandleAsync(FarmReceivedMessage message, CancellationToken cancellationToken)
    {
        if (message.Payload is ReportedPoolStatePayload reported)
        {
            engine.OnReported(reported);
        }

        return Task.CompletedTask;
    }
}
