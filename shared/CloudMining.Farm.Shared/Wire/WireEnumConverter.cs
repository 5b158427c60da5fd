using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Writes a farm/v1 state enum as its documented string (<see cref="JsonStringEnumMemberNameAttribute"/>, through
/// <see cref="JsonStringEnumConverter{TEnum}"/>) and reads it back tolerantly: a string this program does not know — a
/// newer publisher's additive state — reads as the enum's <c>Unknown</c> member (value 0), so the rest of the message
/// still counts (docs/mqtt-contract.md, "States a receiver does not know"). Anything that is not a string (a number,
/// an object) stays a decode error. <c>Unknown</c> itself is never sent: writing it is a <see cref="JsonException"/>.
/// </summary>
/// <typeparam name="TEnum">A wire state enum whose member 0 is <c>Unknown</c>.</typeparam>
public sealed class WireEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private readonly JsonStringEnumConverter<TEnum> _strings = new(namingPolicy: null, allowIntegerValues: false);
    private JsonConverter<TEnum>? _inner;

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected one of the {typeof(TEnum).Name} strings, found {reader.TokenType}");
        }

        // A copy of the reader: the inner converter only reads the current string token, and an unknown name must
        // not leave the real reader anywhere but on that token.
        Utf8JsonReader probe = reader;
        try
        {
            TEnum value = Inner(options).Read(ref probe, typeToConvert, options);
            return WireNames.IsKnown(value) ? value : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        if (!WireNames.IsKnown(value))
        {
            throw new JsonException($"{typeof(TEnum).Name}.{value} is what a receiver reads for a state it does not know; it is never sent. Set a documented state.");
        }

        Inner(options).Write(writer, value, options);
    }

    private JsonConverter<TEnum> Inner(JsonSerializerOptions options) =>
        _inner ??= (JsonConverter<TEnum>)_strings.CreateConverter(typeof(TEnum), options);
}
