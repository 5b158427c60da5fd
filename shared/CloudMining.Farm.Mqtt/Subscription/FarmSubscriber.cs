using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>
/// The consumer side of the farm/v1 contract, used by the controller and by the agent's desired-state intake: subscribes
/// to filters, reads each message with <see cref="FarmMessageDecoder"/> (topic, size, schema, envelope, identity),
/// drops re-deliveries with a <see cref="DuplicateFilter"/> (unless <see cref="FarmSubscriberOptions.DropDuplicates"/> is off),
/// and hands typed messages to a handler. A malformed message is logged (topic and what is wrong, both cut short, at
/// most a burst of lines then one a minute) and counted, never thrown; the client acknowledges it like any other.
/// A payload that claims another site, rack, miner or contract than its topic (<see cref="FarmTopics.IdentityProblem"/>)
/// is dropped and counted in <see cref="Misattributed"/>, with at most one log line a minute.
/// </summary>
public sealed partial class FarmSubscriber
{
    private readonly FarmMqttClient _client;
    private readonly Func<FarmReceivedMessage, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly FarmSubscriberOptions _options;
    private readonly LogThrottle _malformedLog;
    private long _received;
    private long _delivered;
    private long _malformed;
    private long _handlerFailures;
    private long _misattributed;
    private readonly LogThrottle _misattributedLog;

    public FarmSubscriber(FarmMqttClient client, Func<FarmReceivedMessage, CancellationToken, Task> handler, ILogger<FarmSubscriber>? logger = null, TimeProvider? time = null)
        : this(client, handler, FarmSubscriberOptions.Default, logger, time)
    {
    }

    public FarmSubscriber(FarmMqttClient client, Func<FarmReceivedMessage, CancellationToken, Task> handler, FarmSubscriberOptions options, ILogger<FarmSubscriber>? logger = null, TimeProvider? time = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _malformedLog = new LogThrottle(time ?? _client.Options.TimeProvider, TimeSpan.FromMinutes(1), burst: 10);
        _misattributedLog = new LogThrottle(time ?? _client.Options.TimeProvider, TimeSpan.FromMinutes(1), burst: 1);
        _client.ApplicationMessageReceivedAsync += e => HandleAsync(e.ApplicationMessage, CancellationToken.None);
    }

    public DuplicateFilter Duplicates { get; } = new();

    /// <summary>Topics another handler on the same client takes (e.g. the controller's curtailment signals, which carry no farm envelope): neither parsed nor counted.</summary>
    public Func<string, bool>? Ignore { get; init; }

    /// <summary>Messages that arrived, before any filtering.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Messages handed to the handler.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Messages dropped because their topic or payload did not follow the contract.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Messages dropped because the payload named another site, rack, miner or contract than the topic it came on.</summary>
    public long Misattributed => Interlocked.Read(ref _misattributed);

    /// <summary>Messages whose handler threw; the exception was logged and the next message still handled.</summary>
    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    /// <summary>Subscribes with QoS 1 to each filter (e.g. "farm/v1/#"); check <see cref="MqttClientSubscribeResult.AllGranted"/>.</summary>
    public Task<MqttClientSubscribeResult> SubscribeAsync(IEnumerable<string> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        return _client.SubscribeAsync([.. filters.Select(f => new MqttTopicFilter(f, MqttQualityOfServiceLevel.AtLeastOnce))], cancellationToken);
    }

    /// <summary>Processes one received message; public so a caller with its own client loop can feed it.</summary>
    public Task HandleAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Ignore?.Invoke(message.Topic) == true)
        {
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _received);
        FarmDecodeResult result = FarmMessageDecoder.Decode(message.Topic, message.Payload, message.Retain, _options.MaxPayloadBytes);
        if (result.Rejection is { } rejected)
        {
            return RefusedAsync(message.Topic, rejected, cancellationToken);
        }

        FarmReceivedMessage parsed = result.Message!;

        // A last will was built when the agent connected, so its seq is older than what the agent sent since; it is
        // still the newest truth about the agent, so it bypasses the duplicate filter (applying it twice is harmless).
        bool will = parsed.Payload is AgentStatusPayload { State: AgentState.Offline };
        if (!will && _options.DropDuplicates && !Duplicates.Accept(message.Topic, parsed.Payload))
        {
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _delivered);
        Task handled;
        try
        {
            handled = _handler(parsed, cancellationToken);
        }
#pragma warning disable CA1031 // A consumer bug on one message must not stop the subscription; it is logged and counted.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            HandlerFailed(e, message.Topic, parsed.Payload.Seq, parsed.Payload.Publisher);
            return Task.CompletedTask;
        }

        // The controller's ingest handler completes synchronously: no state machine and no await per message on that path.
        return handled.IsCompletedSuccessfully ? Task.CompletedTask : AwaitHandlerAsync(handled, message.Topic, parsed.Payload);
    }

    private async Task AwaitHandlerAsync(Task handled, string topic, FarmMessage payload)
    {
        try
        {
            await handled.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A consumer bug on one message must not stop the subscription; it is logged and counted.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            HandlerFailed(e, topic, payload.Seq, payload.Publisher);
        }
    }

    private void HandlerFailed(Exception e, string topic, long seq, string? publisher)
    {
        Interlocked.Increment(ref _handlerFailures);
        LogHandlerFailed(_logger, e, BoundedText.Echo(topic), seq, BoundedText.Echo(publisher));
    }

    private async Task RefusedAsync(string topic, FarmRejectedMessage rejected, CancellationToken cancellationToken)
    {
        long count = rejected.Kind == FarmRejection.Misattributed ? Interlocked.Increment(ref _misattributed) : Interlocked.Increment(ref _malformed);
        if (_options.Rejected is { } report)
        {
            try
            {
                await report(rejected, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // As for the handler: a consumer bug must not stop the subscription.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                HandlerFailed(e, topic, 0, "(refused message)");
            }
        }
        else if (rejected.Kind == FarmRejection.Misattributed)
        {
            if (_misattributedLog.TryAcquire(out long heldBack))
            {
                LogForeign(_logger, BoundedText.Echo(topic), rejected.Problem, count, heldBack);
            }
        }
        else if (_malformedLog.TryAcquire(out long heldBack))
        {
            LogMalformed(_logger, BoundedText.Echo(topic), BoundedText.Echo(rejected.Problem, 300), count, heldBack);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The handler failed for the message on {Topic} (seq {Seq} from {Publisher}); continuing with the next message")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string topic, long seq, string publisher);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped a malformed message on {Topic}: {Problem} ({Malformed} malformed so far, {HeldBack} not logged since the last line)")]
    private static partial void LogMalformed(ILogger logger, string topic, string problem, long malformed, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a message on {Topic}: {Problem} ({Rejected} rejected so far, {HeldBack} not logged since the last line); check who holds that rack's broker credentials")]
    private static partial void LogForeign(ILogger logger, string topic, string problem, long rejected, long heldBack);
}
