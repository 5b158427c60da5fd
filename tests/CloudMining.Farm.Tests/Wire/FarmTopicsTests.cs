using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

public sealed class FarmTopicsTests
{
    [Fact]
    public void Topics_are_built_under_the_versioned_tree_and_parse_back()
    {
        Assert.Equal("farm/v1/s1/r07/miners/m-1/telemetry", FarmTopics.MinerTelemetry("s1", "r07", "m-1"));
        Assert.Equal(new FarmTopic(FarmTopicKind.MinerTelemetry, "s1", "r07", "m-1"), FarmTopics.TryParse("farm/v1/s1/r07/miners/m-1/telemetry"));
        Assert.Equal(new FarmTopic(FarmTopicKind.MinerState, "s1", "r07", "m-1"), FarmTopics.TryParse(FarmTopics.MinerState("s1", "r07", "m-1")));
        Assert.Equal(new FarmTopic(FarmTopicKind.AgentStatus, "s1", "r07"), FarmTopics.TryParse(FarmTopics.AgentStatus("s1", "r07")));
        Assert.Equal(new FarmTopic(FarmTopicKind.Events, "s1", "r07"), FarmTopics.TryParse(FarmTopics.Events("s1", "r07")));
        Assert.Equal(new FarmTopic(FarmTopicKind.Desired, "s1", "r07"), FarmTopics.TryParse(FarmTopics.Desired("s1", "r07")));
        Assert.Equal(new FarmTopic(FarmTopicKind.Reported, "s1", "r07"), FarmTopics.TryParse(FarmTopics.Reported("s1", "r07")));
        Assert.Equal(new FarmTopic(FarmTopicKind.Allocation, "s1", ContractId: "c-17"), FarmTopics.TryParse(FarmTopics.Allocation("s1", "c-17")));
        Assert.Equal(new FarmTopic(FarmTopicKind.Capacity, "s1"), FarmTopics.TryParse(FarmTopics.Capacity("s1")));
    }

    [Theory]
    [InlineData("r/1")]
    [InlineData("r+")]
    [InlineData("#")]
    [InlineData("r\0")]
    [InlineData("")]
    [InlineData("allocation")]
    [InlineData("capacity")]
    public void Rack_ids_that_would_break_the_tree_are_refused_with_a_reason(string rack)
    {
        var error = Assert.Throws<ArgumentException>(() => FarmTopics.Desired("s1", rack));
        Assert.Contains("rack", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("farm/v2/s1/r1/status")]
    [InlineData("farm/v1/s1/r1/unknown")]
    [InlineData("farm/v1/s1/capacity/extra")]
    [InlineData("farm/v1/s1/r1/miners/m1")]
    [InlineData("other/v1/s1/capacity")]
    public void Topics_outside_the_contract_do_not_parse(string topic) => Assert.Null(FarmTopics.TryParse(topic));

    [Fact]
    public void Duplicate_filter_drops_replays_per_publisher_and_topic()
    {
        var filter = new DuplicateFilter();
        Assert.True(filter.Accept("agent-a", "t1", 1));
        Assert.True(filter.Accept("agent-a", "t1", 2));
        Assert.False(filter.Accept("agent-a", "t1", 2));
        Assert.False(filter.Accept("agent-a", "t1", 1));
        Assert.True(filter.Accept("agent-b", "t1", 1));
        Assert.True(filter.Accept("agent-a", "t2", 1));
        Assert.Equal(2, filter.Dropped);
    }

    [Fact]
    public void One_absurd_seq_does_not_silence_the_topic_its_publisher_goes_on_after_it()
    {
        // A spoofed or corrupt status with seq 900003 once made every later real status (seq ~300) look like a replay.
        var filter = new DuplicateFilter();
        Assert.True(filter.Accept("agent-demo-R01", "status", 295));
        Assert.True(filter.Accept("agent-demo-R01", "status", 900_003));
        Assert.True(filter.Accept("agent-demo-R01", "status", 296));
        Assert.Equal(1, filter.Restarts);
        Assert.False(filter.Accept("agent-demo-R01", "status", 296)); // the re-delivery right after it is still a duplicate
        Assert.True(filter.Accept("agent-demo-R01", "status", 297));
        Assert.False(filter.Accept("agent-demo-R01", "status", 297 - DuplicateFilter.RestartGap)); // exactly the gap behind: still a duplicate; only beyond it is a restart
    }

    [Fact]
    public void Publisher_sequence_keeps_increasing_across_restarts()
    {
        string path = Path.Combine(Path.GetTempPath(), $"farm-seq-{Guid.NewGuid():N}", "seq");
        var first = new PublisherSequence(path, blockSize: 10);
        long[] before = [.. Enumerable.Range(0, 25).Select(_ => first.Next())];
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), before);

        // A new instance is what a restart (or kill -9) sees: it must start above anything handed out.
        var second = new PublisherSequence(path, blockSize: 10);
        long after = second.Next();
        Assert.True(after > before[^1], $"{after} after {before[^1]}");
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
