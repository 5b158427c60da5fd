using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>
/// The consumer side of the farm/v1 contract: subscribes to filters, parses each topic with <see cref="FarmTopics"/>,
/// deserializes the payload with <see cref="FarmJsonContext"/>, drops re-deliveries with a <see cref="DuplicateFilter"/>,
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
    private readonly LogThrottle _malformedLog;
    private long _received;
    private long _delivered;
    private long _malformed;
    private long _handlerFailures;
    private long _misattributed;
    private readonly LogThrottle _misattributedLog;

    public FarmSubscriber(FarmMqttClient client, Func<FarmReceivedMessage, CancellationToken, Task> handler, ILogger<FarmSubscriber>? logger = null, TimeProvider? time = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _malformedLog = new LogThrottle(time ?? _client.Options.TimeProvider, TimeSpan.FromMinutes(1), burst: 10);
        _misattributedLog = new LogThrottle(time ?? _client.Options.TimeProvider, TimeSpan.FromMinutes(1), burst: 1);
        _client.ApplicationMessageReceivedAsync += e => HandleAsync(e.ApplicationMessage, CancellationToken.None);
    }

    public DuplicateFilter Duplicates { get; } = new();

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
        Interlocked.Increment(ref _received);
        FarmReceivedMessage? parsed = Parse(message);
        if (parsed is null)
        {
            return Task.CompletedTask;
        }

        // A last will was built when the agent connected, so its seq is older than what the agent sent since; it is
        // still the newest truth about the agent, so it bypasses the duplicate filter (applying it twice is harmless).
        bool will = parsed.Payload is AgentStatusPayload { State: AgentState.Offline };
        if (!will && !Duplicates.Accept(message.Topic, parsed.Payload))
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
            HandlerFailed(e, message.Topic, parsed.Payload);
            return Task.CompletedTask;
        }

        // The controller's handler completes synchronously: no state machine and no await per message on that path.
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
            HandlerFailed(e, topic, payload);
        }
    }

    private void HandlerFailed(Exception e, string topic, FarmMessage payload)
    {
        Interlocked.Increment(ref _handlerFailures);
        LogHandlerFailed(_logger, e, BoundedText.Echo(topic), payload.Seq, BoundedText.Echo(payload.Publisher));
    }

    // The payload is read once: a reader checks the envelope's "schema" (the first member as every farm/v1 publisher
    // writes it, so usually a few bytes), then the serializer reads the span. The JsonDocument that used to carry the
    // schema check was a second full parse and a pooled copy of every payload.
    private FarmReceivedMessage? Parse(MqttApplicationMessage message)
    {
        if (FarmTopics.TryParse(message.Topic) is not { } topic)
        {
            return Reject(message.Topic, "the topic is not part of the farm/v1 tree (see docs/mqtt-contract.md)");
        }

        (string schema, JsonTypeInfo type) = Expected(topic.Kind);
        ReadOnlySpan<byte> json = message.Payload.Span;
        try
        {
            if (SchemaProblem(json, schema) is { } wrong)
            {
                return Reject(message.Topic, wrong);
            }

            if (JsonSerializer.Deserialize(json, type) is not FarmMessage payload)
            {
                return Reject(message.Topic, "the payload is null");
            }

            if (payload.Seq < 1 || string.IsNullOrEmpty(payload.Publisher))
            {
                return Reject(message.Topic, "the payload needs a publisher and a seq of at least 1");
            }

            if (payload.Malformation() is { } problem)
            {
                return Reject(message.Topic, $"the payload breaks {schema}: {problem}");
            }

            if (FarmTopics.IdentityProblem(topic, payload) is { } foreign)
            {
                return RejectForeign(message.Topic, foreign);
            }

            return new FarmReceivedMessage(topic, message.Topic, payload, message.Retain);
        }
        catch (JsonException e)
        {
            return Reject(message.Topic, $"the payload is not valid {schema} JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reports a string that is not valid UTF-8 as InvalidOperationException ("Cannot transcode
            // invalid UTF-8 JSON text"), not JsonException: still a malformed payload, never a crash of the subscription.
            return Reject(message.Topic, $"the payload is not valid UTF-8 {schema} JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Why the top-level object's <c>"schema"</c> is not <paramref name="schema"/>, or null when it is. Reads members
    /// until it meets "schema" (skipping the values before it); a repeated "schema" is not looked for, the serializer
    /// ignores the member. Throws <see cref="JsonException"/> for JSON that breaks before "schema" is found.
    /// </summary>
    internal static string? SchemaProblem(ReadOnlySpan<byte> json, string schema)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            throw new JsonException("the payload is empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return $"the payload is a JSON {ValueKind(reader.TokenType)}, not an object";
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("schema"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                return $"the payload has no \"schema\" string; expected \"{schema}\"";
            }

            if (reader.ValueTextEquals(schema))
            {
                return null;
            }

            return $"the payload says schema \"{BoundedText.Echo(reader.GetString(), 80)}\" but this topic carries \"{schema}\"";
        }

        return $"the payload has no \"schema\" string; expected \"{schema}\"";
    }

    // The names JsonValueKind gives (what these messages said when a JsonDocument read the payload).
    private static string ValueKind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "Array",
        JsonTokenType.String => "String",
        JsonTokenType.Number => "Number",
        JsonTokenType.True => "True",
        JsonTokenType.False => "False",
        JsonTokenType.Null => "Null",
        _ => token.ToString(),
    };

    private FarmReceivedMessage? Reject(string topic, string problem)
    {
        long count = Interlocked.Increment(ref _malformed);
        if (_malformedLog.TryAcquire(out long heldBack))
        {
            LogMalformed(_logger, BoundedText.Echo(topic), BoundedText.Echo(problem, 300), count, heldBack);
        }

        return null;
    }

    private FarmReceivedMessage? RejectForeign(string topic, string problem)
    {
        long count = Interlocked.Increment(ref _misattributed);
        if (_misattributedLog.TryAcquire(out long heldBack))
        {
            LogForeign(_logger, topic, problem, count, heldBack);
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The handler failed for the message on {Topic} (seq {Seq} from {Publisher}); continuing with the next message")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string topic, long seq, string publisher);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped a malformed message on {Topic}: {Problem} ({Malformed} malformed so far, {HeldBack} not logged since the last line)")]
    private static partial void LogMalformed(ILogger logger, string topic, string problem, long malformed, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a message on {Topic}: {Problem} ({Rejected} rejected so far, {HeldBack} not logged since the last line); check who holds that rack's broker credentials")]
    private static partial void LogForeign(ILogger logger, string topic, string problem, long rejected, long heldBack);

    private static (string Schema, JsonTypeInfo Type) Expected(FarmTopicKind kind) => kind switch
    {
        FarmTopicKind.AgentStatus => (AgentStatusPayload.SchemaId, FarmJsonContext.Default.AgentStatusPayload),
        FarmTopicKind.MinerTelemetry => (MinerTelemetryPayload.SchemaId, FarmJsonContext.Default.MinerTelemetryPayload),
        FarmTopicKind.MinerState => (MinerStatePayload.SchemaId, FarmJsonContext.Default.MinerStatePayload),
        FarmTopicKind.Events => (FarmEventPayload.SchemaId, FarmJsonContext.Default.FarmEventPayload),
        FarmTopicKind.Desired => (DesiredPoolStatePayload.SchemaId, FarmJsonContext.Default.DesiredPoolStatePayload),
        FarmTopicKind.Reported => (ReportedPoolStatePayload.SchemaId, FarmJsonContext.Default.ReportedPoolStatePayload),
        FarmTopicKind.Allocation => (AllocationPayload.SchemaId, FarmJsonContext.Default.AllocationPayload),
        FarmTopicKind.Capacity => (CapacityPayload.SchemaId, FarmJsonContext.Default.CapacityPayload),
        FarmTopicKind.TelemetryBatch => (TelemetryBatchPayload.SchemaId, FarmJsonContext.Default.TelemetryBatchPayload),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown topic kind"),
    };
}
