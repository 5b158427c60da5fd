using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>
/// <see cref="MinerTelemetryReader"/> (the controller's hand-written telemetry reader) against System.Text.Json with
/// <see cref="FarmJsonContext"/>: the same payload for everything the serializer accepts, a refusal for everything it
/// refuses, and a refusal that names the field.
/// </summary>
public sealed class MinerTelemetryReaderTests
{
    private static readonly FarmJsonContext Json = FarmJsonContext.Default;

    /// <summary>Every member of the payload and of its boards, fans and pools set to a value that is not its default.</summary>
    private static MinerTelemetryPayload Full() => MinerTelemetryPayload.From(WireSamples.Snapshot(), "s1", "r07", "m-0042", "agent-s1-r07", 42, WireSamples.At) with
    {
        MaxChipTempC = 74.25,
        Boards = [new TelemetryBoard { Index = 1, HashrateHs = 33.9e12, ChipTempC = 74.25, BoardTempC = 55, Chips = 126, HardwareErrors = 7, Status = "Alive" }, null!],
        Fans = [new TelemetryFan(2, 5460, 61.5), new TelemetryFan(3, 5400, null)],
        Pools =
        [
            new TelemetryPool { Index = 1, Url = "stratum+tcp://btc.example.com:3333", User = "acct.rack7", Status = "Alive", Priority = 2, Active = false, Accepted = 1200, Rejected = 3, Stale = 1, DifficultyAccepted = 78_643_200.5, DifficultyRejected = 1.2e7, DifficultyStale = 4.1e6, Quota = 3 },
            new TelemetryPool { Index = 2, Url = "stratum+tcp://backup.example.com:443" },
        ],
        Warnings = ["stats: fan3 missing", null!],
    };

    [Fact]
    public void Reads_every_member_the_serializer_writes()
    {
        MinerTelemetryPayload full = Full();
        AssertEveryMemberSet(full, Json.MinerTelemetryPayload);
        AssertEveryMemberSet(full.Boards[0], Json.GetTypeInfo(typeof(TelemetryBoard))!);
        AssertEveryMemberSet(full.Fans[0], Json.GetTypeInfo(typeof(TelemetryFan))!);
        AssertEveryMemberSet(full.Pools[0], Json.GetTypeInfo(typeof(TelemetryPool))!);

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(full, Json.MinerTelemetryPayload);
        MinerTelemetryPayload read = MinerTelemetryReader.Read(json)!;
        Assert.Equal(Encoding.UTF8.GetString(json), JsonSerializer.Serialize(read, Json.MinerTelemetryPayload));
        Assert.Null(read.Boards[1]);
        Assert.Null(read.Warnings[1]);
        Assert.Equal(78_643_200.5, read.Pools[0].DifficultyAccepted);
    }

    /// <summary>A member added to the payload (or a board, fan or pool) fails here until the sample sets it, and then the round trip above fails until the reader reads it.</summary>
    private static void AssertEveryMemberSet(object sample, JsonTypeInfo info)
    {
        foreach (JsonPropertyInfo property in info.Properties)
        {
            object? value = property.Get!(sample);
            bool unset = value is null
                || (property.PropertyType.IsValueType && value.Equals(Activator.CreateInstance(property.PropertyType)))
                || (value is IEnumerable items and not string && !items.GetEnumerator().MoveNext());
            Assert.False(unset, $"{info.Type.Name}.{property.Name} is not set in the sample: set it here and read it in MinerTelemetryReader");
        }
    }

    private static readonly string[] Literals =
    [
        "1e999", "-1e999", "1e320", "1e-400", "NaN", "Infinity", "\"12\"", "\"\"", "null", "true", "false", "[]", "{}", "1.5", "-1", "-0",
        "2147483648", "9223372036854775808", "0", "7", "\"2026-11-21T22:00:00Z\"", "\"2026-13-01\"", "\"not a date\"", "[null]", "[{}]", "[\"x\"]",
        "[{\"index\":1}]", "[{\"index\":1,\"url\":null}]", "{\"a\":1e999}", "\"\\u0041\\u00e9\"", "\"\\ud800\"",
    ];

    [Fact]
    public void Agrees_with_the_serializer_on_ten_thousand_mutated_payloads()
    {
        var random = new Random(1012);
        string baseline = JsonSerializer.Serialize(Full(), Json.MinerTelemetryPayload);
        int accepted = 0, refused = 0;
        for (int i = 0; i < 10_000; i++)
        {
            string text = Mutate(baseline, random, i);
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            (bool serializerRead, string serializerResult) = Outcome(() => JsonSerializer.Deserialize(bytes, Json.MinerTelemetryPayload));
            (bool readerRead, string readerResult) = Outcome(() => MinerTelemetryReader.Read(bytes));
            Assert.True(serializerRead == readerRead, $"mutation {i}: the serializer {(serializerRead ? "read" : "refused")} it ({serializerResult}), the reader {(readerRead ? "read" : "refused")} it ({readerResult}): {text}");
            Assert.True(serializerResult == readerResult || !serializerRead, $"mutation {i}: read differently: serializer {serializerResult}, reader {readerResult}: {text}");
            if (serializerRead)
            {
                accepted++;
            }
            else
            {
                refused++;
            }
        }

        // Both kinds in numbers, or the comparison proves little.
        Assert.True(accepted > 2_000 && refused > 2_000, $"{accepted} accepted, {refused} refused");
    }

    private static (bool Read, string Result) Outcome(Func<MinerTelemetryPayload?> read)
    {
        try
        {
            MinerTelemetryPayload? payload = read();
            return (true, payload is null ? "null" : JsonSerializer.Serialize(payload, Json.MinerTelemetryPayload));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (false, e.GetType().Name + ": " + e.Message);
        }
    }

    private static string Mutate(string baseline, Random random, int n)
    {
        const string Marker = "\"@@mutation@@\"";
        switch (random.Next(10))
        {
            case 0:
                return baseline[..random.Next(baseline.Length)];
            case 1:
                return baseline + new[] { " ", "\n", " x", "{}", "null", ",", "]" }[random.Next(7)];
        }

        JsonObject root = JsonNode.Parse(baseline)!.AsObject();
        var objects = new List<JsonObject> { root };
        foreach (string list in new[] { "boards", "fans", "pools" })
        {
            objects.AddRange(root[list]!.AsArray().OfType<JsonObject>());
        }

        JsonObject target = objects[random.Next(objects.Count)];
        string name = target.Select(p => p.Key).ElementAt(random.Next(target.Count));
        string literal = Literals[random.Next(Literals.Length)];
        switch (random.Next(6))
        {
            case 0:
                target.Remove(name);
                return root.ToJsonString();
            case 1:
                target[name] = null;
                return root.ToJsonString();
            case 2:
                // An unknown member, whatever it holds, is skipped.
                target["extra" + n] = JsonValue.Create("@@mutation@@");
                return root.ToJsonString().Replace(Marker, literal, StringComparison.Ordinal);
            case 3:
                // The member twice: the later value counts.
                string original = target[name]?.ToJsonString() ?? "null";
                target[name] = JsonValue.Create("@@mutation@@");
                return root.ToJsonString().Replace(Marker, $"{original},\"{name}\":{literal}", StringComparison.Ordinal);
            case 4:
                // The member's name escaped: still the member.
                return root.ToJsonString().Replace($"\"{name}\":", $"\"\\u{(int)name[0]:x4}{name[1..]}\":", StringComparison.Ordinal);
            default:
                target[name] = JsonValue.Create("@@mutation@@");
                return root.ToJsonString().Replace(Marker, literal, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("hashrate5sHs", "1e999", "$.hashrate5sHs")]
    [InlineData("powerW", "-1e999", "$.powerW")]
    [InlineData("difficultyAccepted", "1e320", "$.pools[0].difficultyAccepted")]
    public void A_number_beyond_a_double_is_refused_naming_the_field(string member, string literal, string path)
    {
        string json = JsonSerializer.Serialize(Full(), Json.MinerTelemetryPayload);
        string broken = Replace(json, member, literal);
        var e = Assert.Throws<JsonException>(() => MinerTelemetryReader.Read(Encoding.UTF8.GetBytes(broken)));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("infinity", e.Message, StringComparison.Ordinal);

        // And through the decoder every consumer uses: a malformed message naming schema and field.
        FarmDecodeResult result = FarmMessageDecoder.Decode(FarmTopics.MinerTelemetry("s1", "r07", "m-0042"), Encoding.UTF8.GetBytes(broken));
        Assert.Equal(FarmRejection.Malformed, result.Rejection!.Kind);
        Assert.StartsWith($"not valid {MinerTelemetryPayload.SchemaId} JSON: {path}", result.Rejection.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seq", "\"5\"", "$.seq: expected a whole number")]
    [InlineData("accepted", "1.5", "$.pools[0].accepted: expected a whole number")]
    [InlineData("index", "null", "$.boards[0].index: expected a whole number")]
    [InlineData("readAt", "\"yesterday\"", "$.readAt: expected an ISO 8601 date")]
    public void A_value_of_the_wrong_kind_is_refused_naming_the_field(string member, string literal, string expected)
    {
        string broken = Replace(JsonSerializer.Serialize(Full(), Json.MinerTelemetryPayload), member, literal);
        var e = Assert.Throws<JsonException>(() => MinerTelemetryReader.Read(Encoding.UTF8.GetBytes(broken)));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_member_is_named()
    {
        JsonObject root = JsonNode.Parse(JsonSerializer.Serialize(Full(), Json.MinerTelemetryPayload))!.AsObject();
        root.Remove("minerId");
        Assert.Equal("$: the required member \"minerId\" is missing", Assert.Throws<JsonException>(() => MinerTelemetryReader.Read(Encoding.UTF8.GetBytes(root.ToJsonString()))).Message);
        root["minerId"] = "m-0042";
        root["pools"]![1]!.AsObject().Remove("url");
        Assert.Equal("$.pools[1]: the required member \"url\" is missing", Assert.Throws<JsonException>(() => MinerTelemetryReader.Read(Encoding.UTF8.GetBytes(root.ToJsonString()))).Message);
    }

    /// <summary>Replaces the value of the first <paramref name="member"/> (a number, string, true/false or null) with <paramref name="literal"/>.</summary>
    private static string Replace(string json, string member, string literal)
    {
        string key = $"\"{member}\":";
        int start = json.IndexOf(key, StringComparison.Ordinal) + key.Length;
        Assert.True(start >= key.Length, $"no {member} in the sample");
        int end = json[start] == '"' ? json.IndexOf('"', start + 1) + 1 : json.IndexOfAny([',', '}', ']'], start);
        return json[..start] + literal + json[end..];
    }
}
