using System.Collections.Frozen;
using System.Text.Json;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// The wire strings of the farm/v1 state enums (<see cref="MinerState"/>, <see cref="AgentState"/>,
/// <see cref="ReportedMinerState"/>, <see cref="ContractStatus"/>), taken from the same converter the payloads use, so
/// a log line, an error text or an API field never spells a state differently from the JSON.
/// </summary>
public static class WireNames
{
    /// <summary>True for a documented state; false for <c>Unknown</c> (0) and for values outside the enum.</summary>
    public static bool IsKnown<TEnum>(TEnum value)
        where TEnum : struct, Enum => !EqualityComparer<TEnum>.Default.Equals(value, default) && Enum.IsDefined(value);

    /// <summary>The documented string of <paramref name="value"/> (<c>"powered-off"</c>); <c>"unknown"</c> for a state this program could not read.</summary>
    public static string ToWire<TEnum>(this TEnum value)
        where TEnum : struct, Enum => Names<TEnum>.ToText.GetValueOrDefault(value, UnknownText);

    /// <summary>The member whose wire string is <paramref name="text"/> (exact, case-sensitive); <c>Unknown</c> for any other text.</summary>
    public static TEnum Parse<TEnum>(string? text)
        where TEnum : struct, Enum => text is not null && Names<TEnum>.FromText.TryGetValue(text, out TEnum value) ? value : default;

    /// <summary>Every documented member of <typeparamref name="TEnum"/> (<c>Unknown</c> left out), in declaration order.</summary>
    public static IReadOnlyList<TEnum> Known<TEnum>()
        where TEnum : struct, Enum => Names<TEnum>.Known;

    /// <summary>What <see cref="ToWire{TEnum}"/> shows for <c>Unknown</c>; never sent on the wire.</summary>
    public const string UnknownText = "unknown";

    private static class Names<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly IReadOnlyList<TEnum> Known = [.. Enum.GetValues<TEnum>().Where(IsKnown)];

        public static readonly FrozenDictionary<TEnum, string> ToText = Known.ToFrozenDictionary(v => v, Write);

        public static readonly FrozenDictionary<string, TEnum> FromText = Known.ToFrozenDictionary(v => ToText[v], v => v, StringComparer.Ordinal);

        private static string Write(TEnum value)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                new WireEnumConverter<TEnum>().Write(writer, value, JsonSerializerOptions.Default);
            }

            var reader = new Utf8JsonReader(buffer.WrittenSpan);
            reader.Read();
            return reader.GetString()!;
        }
    }
}
