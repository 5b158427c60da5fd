using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Reads every farm/v1 floating-point field as a finite number: System.Text.Json turns an out-of-range literal such as
/// <c>1e999</c> into ±Infinity, which no meter can have measured, so such a payload is a decode error (a
/// <see cref="JsonException"/> naming the value) that the subscriber drops and counts, never a value in the fleet.
/// </summary>
public sealed class FiniteNumberConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException($"expected a number, found {reader.TokenType}");
        }

        double value = reader.GetDouble();
        if (!double.IsFinite(value))
        {
            throw new JsonException("a number is out of the range of a double (it would read as infinity); send a finite value");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value);
    }
}
