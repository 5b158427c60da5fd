using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>
/// The one place a farm/v1 message is read, for every consumer (the controller's subscribers and the agent's
/// desired-state intake): parses the topic with <see cref="FarmTopics"/>, refuses a payload over the consumer's size
/// limit unread, checks that the JSON is an object naming the schema its topic carries, deserializes it with
/// <see cref="FarmJsonContext"/> (per-miner telemetry with <see cref="MinerTelemetryReader"/>), checks the envelope (publisher, seq ≥ 1) and <see cref="FarmMessage.Malformation"/>,
/// and finally that the payload claims the site, rack, miner or contract of its topic (<see cref="FarmTopics.IdentityProblem"/>).
/// Pure: it logs nothing and throws nothing for bad input; what to do with a refusal is the consumer's call.
/// </summary>
public static class FarmMessageDecoder
{
    /// <summary>Decodes one message; <paramref name="maxPayloadBytes"/> bounds what is parsed at all.</summary>
    public static FarmDecodeResult Decode(string topicName, ReadOnlyMemory<byte> payload, bool retained = false, int maxPayloadBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(topicName);
        if (FarmTopics.TryParse(topicName) is not { } topic)
        {
            return Refuse(topicName, FarmRejection.NotFarmTopic, "the topic is not part of the farm/v1 tree (see docs/mqtt-contract.md)");
        }

        if (payload.Length > maxPayloadBytes)
        {
            return Refuse(topicName, FarmRejection.TooLarge, $"the payload is {payload.Length} bytes; at most {maxPayloadBytes} are read");
        }

        // The payload is read once: a reader checks the envelope's "schema" (the first member as every farm/v1 publisher
        // writes it, so usually a few bytes), then the serializer reads the span; no JsonDocument, no copy.
        (string schema, JsonTypeInfo type) = Expected(topic.Kind);
        try
        {
            if (SchemaProblem(payload.Span, schema) is { } wrong)
            {
                return Malformed(topicName, wrong);
            }

            // Per-miner telemetry, the bulk of what the controller receives, is read by MinerTelemetryReader (the same
            // answers as the serializer, at a fraction of its cost); everything else by the generated metadata.
            object? read = topic.Kind == FarmTopicKind.MinerTelemetry ? MinerTelemetryReader.Read(payload.Span) : JsonSerializer.Deserialize(payload.Span, type);
            if (read is not FarmMessage message)
            {
                return Malformed(topicName, "the payload is null");
            }

            if (message.Seq < 1 || string.IsNullOrEmpty(message.Publisher))
            {
                return Malformed(topicName, "the payload needs a publisher and a seq of at least 1");
            }

            if (message.Malformation() is { } problem)
            {
                return Malformed(topicName, $"the payload breaks {schema}: {problem}");
            }

            if (FarmTopics.IdentityProblem(topic, message) is { } foreign)
            {
                return FarmDecodeResult.Refused(new FarmRejectedMessage(topicName, FarmRejection.Misattributed, foreign, message));
            }

            return FarmDecodeResult.Accepted(new FarmReceivedMessage(topic, topicName, message, retained));
        }
        catch (JsonException e)
        {
            // The parser's message can quote property names from the payload: bounded like every other echo.
            return Malformed(topicName, $"not valid {schema} JSON: {BoundedText.Echo(e.Message, 300)}");
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reports a string that is not valid UTF-8 as InvalidOperationException ("Cannot transcode
            // invalid UTF-8 JSON text"), not JsonException: still a malformed payload, never a crash of the consumer.
            return Malformed(topicName, $"not valid UTF-8 {schema} JSON: {BoundedText.Echo(e.Message, 300)}");
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
            return $"not valid {schema} JSON: the payload is a JSON {ValueKind(reader.TokenType)}, not an object";
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

    /// <summary>The schema id a topic kind carries.</summary>
    public static string SchemaOf(FarmTopicKind kind) => Expected(kind).Schema;

    private static FarmDecodeResult Malformed(string topicName, string problem) => Refuse(topicName, FarmRejection.Malformed, problem);

    private static FarmDecodeResult Refuse(string topicName, FarmRejection kind, string problem) =>
        FarmDecodeResult.Refused(new FarmRejectedMessage(topicName, kind, problem));

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
