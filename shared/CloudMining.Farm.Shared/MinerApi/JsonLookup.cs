using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>Tolerant reads of miner JSON: case-insensitive names, numbers that arrive as strings, sections that are arrays or objects.</summary>
public static class JsonLookup
{
    /// <summary>Finds a property by name, exact case first (cheap), then ignoring case, as firmwares disagree on it.</summary>
    public static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            value = default;
            return false;
        }

        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        // Compare the raw UTF-8 names: reading property.Name would allocate a string per property on every miss.
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (System.Text.Ascii.EqualsIgnoreCase(JsonMarshal.GetRawUtf8PropertyName(property), name))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Reads a number, also from a string such as "16.0032" or "  0.0000"; empty strings and non-numbers are absent.</summary>
    public static bool TryGetDouble(JsonElement value, out double number)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetDouble(out number) && double.IsFinite(number);
            case JsonValueKind.String:
                // Parse the raw UTF-8 between the quotes: no string allocated for "16.0032" or "  0.0000".
                ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(value);
                ReadOnlySpan<byte> digits = raw.Length >= 2 ? raw[1..^1].Trim(" \t\r\n"u8) : default;
                if (!digits.IsEmpty && digits.IndexOf((byte)'\\') < 0
                    && double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out number)
                    && double.IsFinite(number))
                {
                    return true;
                }

                break;
        }

        number = 0;
        return false;
    }

    /// <summary>Reads a value as text: strings as they are, numbers and booleans as JSON writes them.</summary>
    public static string? GetText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    /// <summary>True when the value is present and says something: not null, not an empty string.</summary>
    public static bool HasContent(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => false,
        JsonValueKind.String => JsonMarshal.GetRawUtf8Value(value) is { Length: > 2 } raw && raw[1..^1].IndexOfAnyExcept(" \t\r\n"u8) >= 0,
        _ => true,
    };

    /// <summary>The objects of a section: each object element of an array, or the object itself.</summary>
    public readonly struct ObjectEnumerable
    {
        private readonly JsonElement _section;

        public ObjectEnumerable(JsonElement section) => _section = section;

        public Enumerator GetEnumerator() => new(_section);

        /// <summary>Walks the objects of a section without allocating.</summary>
        public struct Enumerator
        {
            private readonly JsonElement _section;
            private JsonElement.ArrayEnumerator _array;
            private int _state;

            public Enumerator(JsonElement section)
            {
                _section = section;
                _array = section.ValueKind == JsonValueKind.Array ? section.EnumerateArray() : default;
                _state = section.ValueKind switch
                {
                    JsonValueKind.Array => 1,
                    JsonValueKind.Object => 2,
                    _ => 0,
                };
                Current = default;
            }

            public JsonElement Current { get; private set; }

            public bool MoveNext()
            {
                switch (_state)
                {
                    case 1:
                        while (_array.MoveNext())
                        {
                            if (_array.Current.ValueKind == JsonValueKind.Object)
                            {
                                Current = _array.Current;
                                return true;
                            }
                        }

                        _state = 0;
                        return false;
                    case 2:
                        Current = _section;
                        _state = 0;
                        return true;
                    default:
                        return false;
                }
            }
        }
    }
}
