using System.Reflection;
using System.Text.Json;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

public sealed class WireSchemaTests
{
    public static TheoryData<string> Schemas() => [.. WireSamples.All().Select(m => m.Schema)];

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Every_payload_serializes_to_json_its_published_schema_accepts(string schemaId)
    {
        FarmMessage message = WireSamples.All().Single(m => m.Schema == schemaId);
        using JsonDocument json = JsonDocument.Parse(Serialize(message));
        IReadOnlyList<string> errors = LoadValidator(schemaId).Validate(json.RootElement);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(schemaId, json.RootElement.GetProperty("schema").GetString());
        Assert.Equal(message.Seq, json.RootElement.GetProperty("seq").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Every_payload_round_trips_through_the_source_generated_context(string schemaId)
    {
        FarmMessage message = WireSamples.All().Single(m => m.Schema == schemaId);
        string json = Serialize(message);
        object back = JsonSerializer.Deserialize(json, message.GetType(), FarmJsonContext.Default)!;
        Assert.Equal(json, Serialize((FarmMessage)back));
    }

    [Fact]
    public void The_validator_rejects_what_the_schema_forbids()
    {
        FarmMessage telemetry = WireSamples.All().Single(m => m.Schema == MinerTelemetryPayload.SchemaId);
        var node = System.Text.Json.Nodes.JsonNode.Parse(Serialize(telemetry))!.AsObject();
        node.Remove("seq");
        node["hashrate5sHs"] = "104 TH/s";
        node["poolPassword"] = "x";
        node["pools"]![0]!["url"] = "stratum+tcp://u:p@host:3333";
        node["ts"] = "yesterday";
        using JsonDocument broken = JsonDocument.Parse(node.ToJsonString());
        IReadOnlyList<string> errors = LoadValidator(MinerTelemetryPayload.SchemaId).Validate(broken.RootElement);
        Assert.Contains(errors, e => e.Contains("'seq' is missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.hashrate5sHs: expected number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'poolPassword' is not allowed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.pools[0].url", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.ts", StringComparison.Ordinal));
    }

    [Fact]
    public void Telemetry_carries_numbers_in_base_units_and_no_pool_password()
    {
        string json = Serialize(WireSamples.All().Single(m => m.Schema == MinerTelemetryPayload.SchemaId));
        Assert.DoesNotContain("pool-secret-77", json, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal("stratum+tcp://btc.example.com:3333", doc.RootElement.GetProperty("pools")[0].GetProperty("url").GetString());
        Assert.Equal(104.2e12, doc.RootElement.GetProperty("hashrate5sHs").GetDouble(), 1e3);
        Assert.Equal(3068, doc.RootElement.GetProperty("powerW").GetDouble());
        Assert.Equal(74, doc.RootElement.GetProperty("maxChipTempC").GetDouble());
        Assert.Equal(180000, doc.RootElement.GetProperty("uptimeS").GetDouble());
        // Accepted difficulty is what proof of delivery sums; it must reach the controller unchanged.
        Assert.Equal(78_643_200, doc.RootElement.GetProperty("pools")[0].GetProperty("difficultyAccepted").GetDouble());
        Assert.Equal(1, doc.RootElement.GetProperty("pools")[0].GetProperty("quota").GetInt32());
    }

    [Fact]
    public void No_contract_type_or_schema_has_a_password_field()
    {
        Type[] types = [.. typeof(FarmMessage).Assembly.GetTypes().Where(t => t.Namespace == typeof(FarmMessage).Namespace)];
        Assert.True(types.Length > 10);
        foreach (PropertyInfo property in types.SelectMany(t => t.GetProperties()))
        {
            Assert.DoesNotContain("password", property.Name, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("secret", property.Name, StringComparison.OrdinalIgnoreCase);
        }

        foreach (string file in Directory.GetFiles(SchemaFolder, "*.schema.json"))
        {
            Assert.DoesNotContain("password", File.ReadAllText(file), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void There_is_exactly_one_schema_file_per_payload()
    {
        string[] files = [.. Directory.GetFiles(SchemaFolder, "*.schema.json").Select(f => Path.GetFileName(f)).Order()];
        string[] expected = [.. WireSamples.All().Select(m => m.Schema + ".schema.json").Order()];
        Assert.Equal(expected, files);
    }

    private static string SchemaFolder => Path.Combine(RepoPaths.Root, "docs", "schemas");

    private static string Serialize(FarmMessage message) => JsonSerializer.Serialize(message, message.GetType(), FarmJsonContext.Default);

    private static JsonSchemaSubsetValidator LoadValidator(string schemaId)
    {
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(SchemaFolder, schemaId + ".schema.json")));
        return new JsonSchemaSubsetValidator(schema.RootElement.Clone());
    }
}
