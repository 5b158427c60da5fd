using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>
/// The one place a farm/v1 message is read, for every consumer (the controller's subscribers and the agent's
/// desired-state intake): parses the topic with <see cref="FarmTopics"/>, refuses a payload over the consumer's size
/// limit unread, checks that the JSON is an object naming the schema its topic carries, deserializes it with
/// <see cref="FarmJsonContext"/>, checks the envelope (publisher, seq ≥ 1) and <see cref="FarmMessage.Malformation"/>,
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

        (string schema, JsonTypeInfo type) = Expected(topic.Kind);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Malformed(topicName, $"not valid {schema} JSON: the payload is a JSON {doc.RootElement.ValueKind}, not an object");
            }

            if (!doc.RootElement.TryGetProperty("schema", out JsonElement s) || s.ValueKind != JsonValueKind.String)
            {
                return Malformed(topicName, $"the payload has no \"schema\" string; expected \"{schema}\"");
            }

            if (!string.Equals(s.GetString(), schema, StringComparison.Ordinal))
            {
                return Malformed(topicName, $"the payload says schema \"{BoundedText.Echo(s.GetString(), 80)}\" but this topic carries \"{schema}\"");
            }

            if (doc.RootElement.Deserialize(type) is not FarmMessage message)
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
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown topic kind"),
    };
}
