using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>The typed wire vocabulary: each state enum is the schema's strings, unknown strings are tolerated, the JSON is unchanged.</summary>
public sealed class WireStateEnumTests
{
    [Fact]
    public void Miner_state_is_the_schemas_state_list() =>
        Assert.Equal(SchemaEnum("farm.v1.miner-state", "state"), WireNames.Known<MinerState>().Select(s => s.ToWire()));

    [Fact]
    public void Previous_miner_state_is_the_same_list() =>
        Assert.Equal(SchemaEnum("farm.v1.miner-state", "previousState"), WireNames.Known<MinerState>().Select(s => s.ToWire()));

    [Fact]
    public void Agent_state_is_the_schemas_state_list() =>
        Assert.Equal(SchemaEnum("farm.v1.agent-status", "state"), WireNames.Known<AgentState>().Select(s => s.ToWire()));

    [Fact]
    public void Contract_status_is_the_schemas_status_list() =>
        Assert.Equal(SchemaEnum("farm.v1.allocation", "status"), WireNames.Known<ContractStatus>().Select(s => s.ToWire()));

    [Fact]
    public void Reported_miner_state_is_the_schemas_minerStatus_state_list()
    {
        JsonNode schema = Schema("farm.v1.reported");
        JsonArray list = schema["$defs"]?["minerStatus"]?["properties"]?["state"]?["enum"]?.AsArray()
            ?? throw new InvalidOperationException("farm.v1.reported schema has no $defs.minerStatus.properties.state.enum");
        Assert.Equal(list.Select(n => n!.GetValue<string>()), WireNames.Known<ReportedMinerState>().Select(s => s.ToWire()));
    }

    [Fact]
    public void Every_miner_state_round_trips_through_its_payload_as_its_string()
    {
        foreach (MinerState state in WireNames.Known<MinerState>())
        {
            MinerStatePayload sent = MinerStateSample() with { State = state, PreviousState = state };
            string json = JsonSerializer.Serialize(sent, FarmJsonContext.Default.MinerStatePayload);
            Assert.Contains($"\"state\":\"{state.ToWire()}\",\"previousState\":\"{state.ToWire()}\"", json, StringComparison.Ordinal);
            Assert.Equal(sent, JsonSerializer.Deserialize(json, FarmJsonContext.Default.MinerStatePayload));
        }
    }

    [Fact]
    public void Every_agent_reported_and_contract_state_round_trips_as_its_string()
    {
        foreach (AgentState state in WireNames.Known<AgentState>())
        {
            string json = JsonSerializer.Serialize(AgentStatusSample() with { State = state }, FarmJsonContext.Default.AgentStatusPayload);
            Assert.Contains($"\"state\":\"{state.ToWire()}\"", json, StringComparison.Ordinal);
            Assert.Equal(state, JsonSerializer.Deserialize(json, FarmJsonContext.Default.AgentStatusPayload)!.State);
        }

        foreach (ReportedMinerState state in WireNames.Known<ReportedMinerState>())
        {
            string json = JsonSerializer.Serialize(ReportedSample(new ReportedMinerStatus("m1", state)), FarmJsonContext.Default.ReportedPoolStatePayload);
            Assert.Contains($"\"state\":\"{state.ToWire()}\"", json, StringComparison.Ordinal);
            Assert.Equal(state, JsonSerializer.Deserialize(json, FarmJsonContext.Default.ReportedPoolStatePayload)!.MinerStatus![0].State);
        }

        foreach (ContractStatus status in WireNames.Known<ContractStatus>())
        {
            string json = JsonSerializer.Serialize(AllocationSample() with { Status = status }, FarmJsonContext.Default.AllocationPayload);
            Assert.Contains($"\"status\":\"{status.ToWire()}\"", json, StringComparison.Ordinal);
            Assert.Equal(status, JsonSerializer.Deserialize(json, FarmJsonContext.Default.AllocationPayload)!.Status);
        }
    }

    [Fact]
    public void Parse_reads_exactly_the_wire_strings_and_nothing_else()
    {
        Assert.Equal(MinerState.PoweredOff, WireNames.Parse<MinerState>("powered-off"));
        Assert.Equal(MinerState.Unknown, WireNames.Parse<MinerState>("PoweredOff"));
        Assert.Equal(AgentState.Unknown, WireNames.Parse<AgentState>(null));
        Assert.Equal("unknown", MinerState.Unknown.ToWire());
    }

    [Fact]
    public void An_unknown_miner_state_reads_as_Unknown_and_keeps_the_rest_of_the_message()
    {
        string json = JsonSerializer.Serialize(MinerStateSample(), FarmJsonContext.Default.MinerStatePayload)
            .Replace("\"state\":\"restarting\"", "\"state\":\"overclocking\"", StringComparison.Ordinal);

        MinerStatePayload read = JsonSerializer.Deserialize(json, FarmJsonContext.Default.MinerStatePayload)!;

        Assert.Equal(MinerState.Unknown, read.State);
        Assert.Equal(MinerState.Hashing, read.PreviousState);
        Assert.Equal("m-0042", read.MinerId);
        Assert.Null(read.Malformation());
        Assert.Equal(["state"], read.UnknownStates());
    }

    [Fact]
    public void An_unknown_reported_state_is_named_by_its_place_and_the_other_miners_still_count()
    {
        string json = JsonSerializer.Serialize(ReportedSample(new ReportedMinerStatus("m1", ReportedMinerState.Applied, 5), new ReportedMinerStatus("m2", ReportedMinerState.Failed)), FarmJsonContext.Default.ReportedPoolStatePayload)
            .Replace("\"state\":\"failed\"", "\"state\":\"quarantined\"", StringComparison.Ordinal);

        ReportedPoolStatePayload read = JsonSerializer.Deserialize(json, FarmJsonContext.Default.ReportedPoolStatePayload)!;

        Assert.Equal([ReportedMinerState.Applied, ReportedMinerState.Unknown], read.MinerStatus!.Select(s => s.State));
        Assert.Null(read.Malformation());
        Assert.Equal(["minerStatus[1].state"], read.UnknownStates());
    }

    [Fact]
    public void Unknown_agent_state_and_contract_status_are_named()
    {
        string status = JsonSerializer.Serialize(AgentStatusSample(), FarmJsonContext.Default.AgentStatusPayload).Replace("\"online\"", "\"sleeping\"", StringComparison.Ordinal);
        string allocation = JsonSerializer.Serialize(AllocationSample(), FarmJsonContext.Default.AllocationPayload).Replace("\"active\"", "\"paused\"", StringComparison.Ordinal);

        Assert.Equal(["state"], JsonSerializer.Deserialize(status, FarmJsonContext.Default.AgentStatusPayload)!.UnknownStates());
        Assert.Equal(["status"], JsonSerializer.Deserialize(allocation, FarmJsonContext.Default.AllocationPayload)!.UnknownStates());
        Assert.Empty(AgentStatusSample().UnknownStates());
    }

    [Fact]
    public void A_state_that_is_not_a_string_is_a_decode_error_naming_the_field()
    {
        string json = JsonSerializer.Serialize(MinerStateSample(), FarmJsonContext.Default.MinerStatePayload)
            .Replace("\"state\":\"restarting\"", "\"state\":3", StringComparison.Ordinal);

        JsonException e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, FarmJsonContext.Default.MinerStatePayload));

        Assert.Equal("$.state", e.Path);
        Assert.Contains("MinerState", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_is_never_sent()
    {
        JsonException e = Assert.Throws<JsonException>(() => JsonSerializer.Serialize(MinerStateSample() with { State = MinerState.Unknown }, FarmJsonContext.Default.MinerStatePayload));

        Assert.Contains("never sent", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Payloads_with_states_serialise_byte_identical_to_the_string_typed_contract()
    {
        // Written by the string-typed payloads (commit d18cf0d) from the same WireSamples before the states became enums.
        string[] before = File.ReadAllLines(Path.Combine(RepoPaths.Root, "tests", "CloudMining.Farm.Tests", "Wire", "Golden", "state-payloads-before-enums.tsv"));
        Dictionary<string, string> expected = before.Where(l => l.Length > 0).Select(l => l.Split('\t', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal(4, expected.Count);

        foreach (FarmMessage m in WireSamples.All())
        {
            byte[]? now = m switch
            {
                AgentStatusPayload p => JsonSerializer.SerializeToUtf8Bytes(p, FarmJsonContext.Default.AgentStatusPayload),
                MinerStatePayload p => JsonSerializer.SerializeToUtf8Bytes(p, FarmJsonContext.Default.MinerStatePayload),
                ReportedPoolStatePayload p => JsonSerializer.SerializeToUtf8Bytes(p, FarmJsonContext.Default.ReportedPoolStatePayload),
                AllocationPayload p => JsonSerializer.SerializeToUtf8Bytes(p, FarmJsonContext.Default.AllocationPayload),
                _ => null,
            };
            if (now is not null)
            {
                Assert.Equal(expected[m.Schema], Encoding.UTF8.GetString(now));
            }
        }
    }

    private static MinerStatePayload MinerStateSample() => WireSamples.All().OfType<MinerStatePayload>().Single();

    private static AgentStatusPayload AgentStatusSample() => WireSamples.All().OfType<AgentStatusPayload>().Single();

    private static AllocationPayload AllocationSample() => WireSamples.All().OfType<AllocationPayload>().Single();

    private static ReportedPoolStatePayload ReportedSample(params ReportedMinerStatus[] statuses) =>
        WireSamples.All().OfType<ReportedPoolStatePayload>().Single() with { MinerStatus = statuses };

    private static JsonNode Schema(string id) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", id + ".schema.json")))!;

    private static IEnumerable<string> SchemaEnum(string id, string property) =>
        Schema(id)["properties"]?[property]?["enum"]?.AsArray().Select(n => n!.GetValue<string>())
        ?? throw new InvalidOperationException($"{id} has no properties.{property}.enum");
}
