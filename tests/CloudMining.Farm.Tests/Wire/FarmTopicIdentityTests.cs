using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>Identity comes from the topic the broker authorized: a payload that names another site, rack, miner or contract is refused.</summary>
public sealed class FarmTopicIdentityTests
{
    [Fact]
    public void Every_sample_payload_matches_its_own_topic()
    {
        foreach (FarmMessage message in WireSamples.All())
        {
            FarmTopic topic = TopicOf(message);
            Assert.Null(FarmTopics.IdentityProblem(topic, message));
        }
    }

    [Fact]
    public void A_status_on_one_racks_topic_claiming_another_rack_is_refused()
    {
        var status = new AgentStatusPayload { Publisher = "agent-s1-r01", Seq = 1, Timestamp = WireSamples.At, Site = "s1", Rack = "r02", State = AgentState.Offline };
        string? problem = FarmTopics.IdentityProblem(FarmTopics.TryParse(FarmTopics.AgentStatus("s1", "r01"))!, status);
        Assert.Equal("the payload says rack 'r02' but its topic is rack 'r01'; identity comes from the topic the broker authorized", problem);
    }

    [Theory]
    [InlineData("s2", "r01", "m-1", "site")]
    [InlineData("s1", "r02", "m-1", "rack")]
    [InlineData("s1", "r01", "m-2", "minerId")]
    public void Telemetry_naming_another_site_rack_or_miner_than_its_topic_is_refused(string site, string rack, string miner, string field)
    {
        MinerTelemetryPayload t = MinerTelemetryPayload.From(WireSamples.Snapshot(), site, rack, miner, "agent-s1-r01", 1, WireSamples.At);
        string? problem = FarmTopics.IdentityProblem(FarmTopics.TryParse(FarmTopics.MinerTelemetry("s1", "r01", "m-1"))!, t);
        Assert.NotNull(problem);
        Assert.StartsWith($"the payload says {field} ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_value_is_cut_and_stripped_of_control_characters_in_the_problem()
    {
        var status = new AgentStatusPayload { Publisher = "x", Seq = 1, Timestamp = WireSamples.At, Site = "s1", Rack = new string('r', 5000) + "\n\u001b[2J", State = AgentState.Online };
        string problem = FarmTopics.IdentityProblem(FarmTopics.TryParse(FarmTopics.AgentStatus("s1", "r01"))!, status)!;
        Assert.True(problem.Length < 300, problem);
        Assert.DoesNotContain('\n', problem);
        Assert.DoesNotContain('\u001b', problem);
    }

    private static FarmTopic TopicOf(FarmMessage message) => FarmTopics.TryParse(message switch
    {
        AgentStatusPayload p => FarmTopics.AgentStatus(p.Site, p.Rack),
        MinerTelemetryPayload p => FarmTopics.MinerTelemetry(p.Site, p.Rack, p.MinerId),
        MinerStatePayload p => FarmTopics.MinerState(p.Site, p.Rack, p.MinerId),
        FarmEventPayload p => FarmTopics.Events(p.Site, p.Rack),
        DesiredPoolStatePayload p => FarmTopics.Desired(p.Site, p.Rack),
        ReportedPoolStatePayload p => FarmTopics.Reported(p.Site, p.Rack),
        AllocationPayload p => FarmTopics.Allocation(p.Site, p.ContractId),
        CapacityPayload p => FarmTopics.Capacity(p.Site),
        TelemetryBatchPayload p => FarmTopics.TelemetryBatch(p.Site, p.Rack),
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    })!;
}
