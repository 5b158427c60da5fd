using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Reads a batch's "miners" array entry by entry, so one unreadable entry (a number beyond a double, a string where a
/// number belongs, a missing id) becomes that entry's <see cref="TelemetryBatchEntry.Problem"/> instead of failing the
/// whole batch. JSON that is not well formed (a syntax error) still fails the batch: nothing after it can be trusted.
/// </summary>
public sealed class TelemetryBatchEntriesConverter : JsonConverter<IReadOnlyList<TelemetryBatchEntry>>
{
    public override IReadOnlyList<TelemetryBatchEntry>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"\"miners\" must be an array, found {reader.TokenType}");
        }

        var entryType = (JsonTypeInfo<TelemetryBatchEntry>)options.GetTypeInfo(typeof(TelemetryBatchEntry));
        var entries = new List<TelemetryBatchEntry>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Utf8JsonReader attempt = reader;
            Utf8JsonReader start = reader;
            TelemetryBatchEntry? entry;
            string? problem;
            try
            {
                entry = JsonSerializer.Deserialize(ref attempt, entryType);
                problem = entry is null ? "is null" : null;
                reader = attempt;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                // Cut short: the message may quote the payload.
                problem = $"cannot be read: {BoundedText.Echo(e.Message, 200)}";
                entry = null;
                reader.Skip();
            }

            entries.Add(problem is null ? entry! : new TelemetryBatchEntry { MinerId = entry?.MinerId ?? IdOf(start)!, Profile = null!, Problem = problem });
        }

        return entries;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<TelemetryBatchEntry> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var entryType = (JsonTypeInfo<TelemetryBatchEntry>)options.GetTypeInfo(typeof(TelemetryBatchEntry));
        writer.WriteStartArray();
        foreach (TelemetryBatchEntry entry in value)
        {
            JsonSerializer.Serialize(writer, entry, entryType);
        }

        writer.WriteEndArray();
    }

    /// <summary>The entry's "id" when it is a string, so the log line can name the miner of an entry that failed; else null.</summary>
    private static string? IdOf(Utf8JsonReader reader)
    {
        try
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            int depth = reader.CurrentDepth;
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.String ? BoundedText.Echo(reader.GetString(), FarmTopics.MaxIdLength) : null;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // No readable id: the entry is named by its position only.
        }

        return null;
    }
}
