using System.Text.Json;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>The miner state message's optional "serial" field (issue 13): additive, bounded, absent when the firmware gives none.</summary>
public sealed class MinerSerialWireTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_state_with_a_serial_is_what_the_schema_accepts_and_one_without_reads_as_before()
    {
        MinerStatePayload with = Sample() with { Serial = "JYZZD4BBCJCAJ0ABC" };
        string json = JsonSerializer.Serialize(with, FarmJsonContext.Default.MinerStatePayload);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Empty(Validator().Validate(doc.RootElement));
        Assert.Equal("JYZZD4BBCJCAJ0ABC", doc.RootElement.GetProperty("serial").GetString());
        Assert.Equal(with, JsonSerializer.Deserialize(json, FarmJsonContext.Default.MinerStatePayload));

        // Without one nothing is written, as from an agent older than the field.
        string without = JsonSerializer.Serialize(Sample(), FarmJsonContext.Default.MinerStatePayload);
        Assert.DoesNotContain("serial", without, StringComparison.Ordinal);
        Assert.Null(JsonSerializer.Deserialize(without, FarmJsonContext.Default.MinerStatePayload)!.Serial);
    }

    [Fact]
    public void The_schema_refuses_an_empty_or_overlong_serial()
    {
        foreach (string bad in new[] { string.Empty, new string('A', MinerStatePayload.MaxSerialChars + 1) })
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(Sample(), FarmJsonContext.Default.MinerStatePayload))!.AsObject();
            node["serial"] = bad;
            using JsonDocument broken = JsonDocument.Parse(node.ToJsonString());
            Assert.Contains(Validator().Validate(broken.RootElement), e => e.Contains("serial", StringComparison.Ordinal));
        }
    }

    private static MinerStatePayload Sample() => new()
    {
        Publisher = "agent-s1-r07", Seq = 3, Timestamp = At, Site = "s1", Rack = "r07", MinerId = "m-0042", State = MinerState.Hashing,
    };

    private static JsonSchemaSubsetValidator Validator()
    {
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", MinerStatePayload.SchemaId + ".schema.json")));
        return new JsonSchemaSubsetValidator(schema.RootElement.Clone());
    }
}
