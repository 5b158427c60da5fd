using System.Text.Json;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>The allocation message's optional "settlement" field (issue 13): what the schema accepts and what it refuses.</summary>
public sealed class AllocationSettlementWireTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_allocation_with_its_latest_settlement_is_what_the_published_schema_accepts_and_round_trips()
    {
        AllocationPayload message = Sample();
        string json = JsonSerializer.Serialize(message, FarmJsonContext.Default.AllocationPayload);
        using JsonDocument doc = JsonDocument.Parse(json);

        Assert.Empty(Validator().Validate(doc.RootElement));
        JsonElement settlement = doc.RootElement.GetProperty("settlement");
        Assert.Equal("extra-hours", settlement.GetProperty("makeGood").GetString());
        Assert.Equal(21600, settlement.GetProperty("deliveredThh").GetDouble());
        AllocationPayload back = JsonSerializer.Deserialize(json, FarmJsonContext.Default.AllocationPayload)!;
        Assert.Equal(message.Settlement, back.Settlement);
    }

    [Fact]
    public void The_schema_refuses_a_settlement_with_an_unknown_make_good_or_an_extra_field()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(Sample(), FarmJsonContext.Default.AllocationPayload))!.AsObject();
        node["settlement"]!["makeGood"] = "refund";
        node["settlement"]!["poolApiKey"] = "k";
        using JsonDocument broken = JsonDocument.Parse(node.ToJsonString());

        IReadOnlyList<string> errors = Validator().Validate(broken.RootElement);

        Assert.Contains(errors, e => e.Contains("makeGood", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'poolApiKey' is not allowed", StringComparison.Ordinal));
    }

    private static AllocationPayload Sample() => new()
    {
        Publisher = "controller", Seq = 11, Timestamp = At, Site = "s1", ContractId = "contract-17", HashrateHs = 1e15, MinerIds = ["m-0042"], ValidFrom = At,
        Status = ContractStatus.Active, TargetHs = 1e15,
        Settlement = new AllocationSettlement
        {
            PeriodStart = At.AddDays(-1), PeriodEnd = At, TargetThh = 24000, DeliveredThh = 21600, ShortfallThh = 2400, ToleratedThh = 1200, MakeGood = "extra-hours",
            MakeGoodThh = 1200, ExtraHours = 1.2, Credit = 0, EnergyKwh = 720.5, MaintenanceFee = 45m, ElectricityCost = 43.23m, PoolThh = 21500, PoolObservedHours = 23.5, ClosedAt = At,
        },
    };

    private static JsonSchemaSubsetValidator Validator()
    {
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", AllocationPayload.SchemaId + ".schema.json")));
        return new JsonSchemaSubsetValidator(schema.RootElement.Clone());
    }
}
