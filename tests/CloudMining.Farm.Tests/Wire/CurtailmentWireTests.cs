using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>Curtailment in farm.v1.desired and farm.v1.reported (issue 14): additive, within the published schemas, ignored by readers that do not know it.</summary>
public sealed class CurtailmentWireTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static DesiredPoolStatePayload Desired(IReadOnlyList<MinerCurtailTarget>? curtailment) => new()
    {
        Publisher = "controller", Seq = 3, Timestamp = At, Site = "s1", Rack = "r1", Generation = 4,
        Miners = [new MinerPoolAssignment("m1", [new PoolTarget("stratum+tcp://house.example:3333", "op.house", 0)])],
        Curtailment = curtailment,
    };

    [Fact]
    public void Desired_and_reported_with_curtailment_are_accepted_by_their_schemas()
    {
        DesiredPoolStatePayload desired = Desired([new MinerCurtailTarget("m1", CurtailAction.Sleep, null, At), new MinerCurtailTarget("m2", CurtailAction.PowerTarget, 2400, At), new MinerCurtailTarget("m3", CurtailAction.Resume, 3250, At)]);
        var reported = new ReportedPoolStatePayload
        {
            Publisher = "agent-s1-r1", Seq = 9, Timestamp = At, Site = "s1", Rack = "r1", Generation = 4, Miners = [],
            Curtailment = [new ReportedCurtailment("m1", CurtailAction.Sleep, ReportedMinerState.Applied, null, 12, 0), new ReportedCurtailment("m2", CurtailAction.PowerTarget, ReportedMinerState.Failed, 2400, 3300, 1e14, "setPowerTarget: refused", At.AddMinutes(1))],
        };
        foreach ((FarmMessage message, string schema) in new (FarmMessage, string)[] { (desired, DesiredPoolStatePayload.SchemaId), (reported, ReportedPoolStatePayload.SchemaId) })
        {
            using JsonDocument json = JsonDocument.Parse(JsonSerializer.Serialize(message, message.GetType(), FarmJsonContext.Default));
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", schema + ".schema.json")));
            IReadOnlyList<string> errors = new JsonSchemaSubsetValidator(doc.RootElement.Clone()).Validate(json.RootElement);
            Assert.True(errors.Count == 0, schema + ": " + string.Join("\n", errors));
        }

        string text = JsonSerializer.Serialize(desired, FarmJsonContext.Default.DesiredPoolStatePayload);
        Assert.Contains("\"curtailment\":[{\"minerId\":\"m1\",\"action\":\"sleep\"", text, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"powerTarget\",\"powerTargetW\":2400", text, StringComparison.Ordinal);
        Assert.Equal(desired.Curtailment, JsonSerializer.Deserialize(text, FarmJsonContext.Default.DesiredPoolStatePayload)!.Curtailment);
    }

    [Fact]
    public void An_allocation_carries_the_allowance_used_this_period_within_its_schema_and_a_protected_contract_none()
    {
        var curtailed = new AllocationPayload
        {
            Publisher = "controller", Seq = 12, Timestamp = At, Site = "s1", ContractId = "curt", HashrateHs = 3e14, MinerIds = ["m1"], ValidFrom = At.AddDays(-30),
            Status = ContractStatus.Active, TargetHs = 3e14,
            Curtailment = new ContractCurtailment(ContractCurtailment.Curtailed, 2, 2e14, 6, "day", AllowanceUsedHours: 4.25, PeriodStart: new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero)),
        };
        var prot = new AllocationPayload
        {
            Publisher = "controller", Seq = 13, Timestamp = At, Site = "s1", ContractId = "prot", HashrateHs = 3e14, MinerIds = ["m2"], ValidFrom = At.AddDays(-30),
            Status = ContractStatus.Active, TargetHs = 3e14, Curtailment = new ContractCurtailment(ContractCurtailment.Protected),
        };
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", AllocationPayload.SchemaId + ".schema.json")));
        var validator = new JsonSchemaSubsetValidator(doc.RootElement.Clone());
        foreach (AllocationPayload message in new[] { curtailed, prot })
        {
            using JsonDocument json = JsonDocument.Parse(JsonSerializer.Serialize(message, FarmJsonContext.Default.AllocationPayload));
            IReadOnlyList<string> errors = validator.Validate(json.RootElement);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }

        string text = JsonSerializer.Serialize(curtailed, FarmJsonContext.Default.AllocationPayload);
        Assert.Contains("\"allowanceHours\":6,\"period\":\"day\",\"allowanceUsedHours\":4.25,\"periodStart\":\"2026-12-06T00:00:00+00:00\"", text, StringComparison.Ordinal);
        Assert.Equal(curtailed.Curtailment, JsonSerializer.Deserialize(text, FarmJsonContext.Default.AllocationPayload)!.Curtailment);
        Assert.DoesNotContain("allowanceUsedHours", JsonSerializer.Serialize(prot, FarmJsonContext.Default.AllocationPayload), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_curtailment_the_desired_json_is_what_older_controllers_sent_and_older_agents_skip_the_field()
    {
        string plain = JsonSerializer.Serialize(Desired(null), FarmJsonContext.Default.DesiredPoolStatePayload);
        Assert.DoesNotContain("curtailment", plain, StringComparison.Ordinal);

        // An older agent reads the payload without knowing the field: System.Text.Json skips unknown members, so the
        // pools are read exactly as without it.
        JsonObject withField = JsonNode.Parse(JsonSerializer.Serialize(Desired([new MinerCurtailTarget("m1", CurtailAction.Sleep)]), FarmJsonContext.Default.DesiredPoolStatePayload))!.AsObject();
        withField["curtailment"]!.AsArray().Add(new JsonObject { ["minerId"] = "m9", ["action"] = "hibernate" });
        DesiredPoolStatePayload back = JsonSerializer.Deserialize(withField.ToJsonString(), FarmJsonContext.Default.DesiredPoolStatePayload)!;
        Assert.Equal(Desired(null).Miners[0].Pools, back.Miners[0].Pools);

        // An action this agent does not know reads as Unknown (left alone), the rest of the message still counts.
        Assert.Equal(CurtailAction.Unknown, back.Curtailment![1].Action);
        Assert.Equal(CurtailAction.Sleep, back.Curtailment[0].Action);
    }
}
