using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Wire;

/// <summary>
/// The compact wire form of farm.v1.telemetry-batch, read through the one decoder every consumer uses: what is written
/// comes back, columns are found by name (reordered, unknown or missing), tables may follow the rows, a broken table
/// fails the batch, a broken row only itself, and reading a row allocates little.
/// </summary>
public sealed class TelemetryBatchWireTests
{
    private static readonly string Topic = FarmTopics.TelemetryBatch("s1", "r07");

    [Fact]
    public void What_the_publisher_writes_the_decoder_reads_back_value_for_value()
    {
        MinerTelemetryPayload a = MinerTelemetryPayload.From(WireSamples.Snapshot(), "s1", "r07", "m-1", "agent-s1-r07", 0, WireSamples.At);
        MinerTelemetryPayload b = a with { MinerId = "m-2", Model = "other", Hashrate5sHs = 1.5e12, Pools = [a.Pools[0] with { Url = "stratum+tcp://second.example.com:3333", Accepted = 9 }], ReadAt = WireSamples.At.AddMilliseconds(-2500) };
        MinerTelemetryPayload bare = a with { MinerId = "m-3", Pools = [], Fans = [], PowerW = null, ReadAt = null, Model = null, Firmware = null };
        TelemetryBatchPayload batch = TelemetryBatchPayload.From([a, b, bare], "s1", "r07", "agent-s1-r07", WireSamples.At).Single() with { Seq = 4 };

        TelemetryBatchPayload read = Decode(JsonSerializer.SerializeToUtf8Bytes(batch, FarmJsonContext.Default.TelemetryBatchPayload));

        TelemetryBatchReading[] readings = [.. read.Readings()];
        Assert.All(readings, r => Assert.Null(r.Problem));
        foreach ((MinerTelemetryPayload sent, TelemetryBatchReading got) in new[] { a, b, bare }.Zip(readings))
        {
            MinerTelemetryPayload t = got.Telemetry!;
            Assert.Equal((sent.MinerId, sent.Profile, sent.Model, sent.Firmware, sent.ReadAt), (t.MinerId, t.Profile, t.Model, t.Firmware, t.ReadAt));
            Assert.Equal((sent.Hashrate5sHs, sent.HashrateAverageHs, sent.HashrateNominalHs, sent.PowerW, sent.MaxChipTempC, sent.UptimeS, sent.HardwareErrors), (t.Hashrate5sHs, t.HashrateAverageHs, t.HashrateNominalHs, t.PowerW, t.MaxChipTempC, t.UptimeS, t.HardwareErrors));
            Assert.Equal(sent.Pools, t.Pools);
            Assert.Equal(sent.Fans.Select(f => f.Rpm), t.Fans.Select(f => f.Rpm));
            Assert.Equal((sent.Site, sent.Rack, 4L, WireSamples.At), (t.Site, t.Rack, t.Seq, t.Timestamp));
        }

        // Shared strings are named once: three kinds (model and firmware differ), the pools; the second miner's pool by position.
        JsonObject json = JsonNode.Parse(JsonSerializer.Serialize(batch, FarmJsonContext.Default.TelemetryBatchPayload))!.AsObject();
        Assert.Equal(3, json["kinds"]!.AsArray().Count);
        Assert.Equal(a.Pools.Count + 1, json["pools"]!.AsArray().Count);
        Assert.Equal(-2500, json["miners"]![1]![2]!.GetValue<long>());
    }

    [Fact]
    public void Columns_are_found_by_name_whatever_their_order_an_unknown_one_is_skipped_and_tables_may_follow_the_rows()
    {
        const string json = """
            {"schema":"farm.v1.telemetry-batch","publisher":"agent-s1-r07","seq":9,
             "miners":[[{"future":[1,2]},104e12,"m-9",0,[[0,3,"Alive",7,null,1.5e6,1,true]],3050]],
             "cols":["x-new","h5","id","k","pl","w"],
             "pcols":["p","i","st","a","dr","da","r","on"],
             "kinds":[{"pf":"antminer-s19","mo":"S19","later":true}],
             "pools":[{"url":"stratum+tcp://btc.example.com:3333","user":"acct.w1"}],
             "ts":"2026-12-06T06:00:00Z","site":"s1","rack":"r07","added-later":{"a":[1]}}
            """;

        TelemetryBatchPayload read = Decode(Encoding.UTF8.GetBytes(json));

        MinerTelemetryPayload t = Assert.Single(read.Readings()).Telemetry!;
        Assert.Equal(("m-9", "antminer-s19", "S19", 104e12, 3050.0), (t.MinerId, t.Profile, t.Model, t.Hashrate5sHs!.Value, t.PowerW!.Value));
        Assert.Null(t.HashrateAverageHs);
        TelemetryPool pool = Assert.Single(t.Pools);
        Assert.Equal(("stratum+tcp://btc.example.com:3333", "acct.w1", 3, "Alive", 7L, 1.5e6, 1L, true), (pool.Url, pool.User, pool.Index, pool.Status, pool.Accepted, pool.DifficultyAccepted!.Value, pool.Rejected, pool.Active!.Value));
        Assert.Null(pool.DifficultyRejected);
    }

    [Theory]
    [InlineData("""{"miners":[["m-1",0]],"kinds":[{"pf":"x"}],"pools":[],"pcols":[]}""", "has no \"cols\"")]
    [InlineData("""{"miners":[],"kinds":[{"mo":"S19"}],"pools":[],"cols":["id"],"pcols":[]}""", "\"kinds[0].pf\" (profile) is missing")]
    [InlineData("""{"miners":[],"kinds":[],"pools":[{"user":"w"}],"cols":["id"],"pcols":[]}""", "\"pools[0].url\" is null")]
    [InlineData("""{"miners":{},"kinds":[],"pools":[],"cols":["id"],"pcols":[]}""", "\"miners\" must be an array")]
    [InlineData("""{"miners":[],"kinds":[],"pools":[],"cols":["id","id"],"pcols":[]}""", "names column 'id' twice")]
    public void A_broken_table_or_envelope_refuses_the_whole_batch_saying_what(string members, string expected)
    {
        string json = """{"schema":"farm.v1.telemetry-batch","publisher":"agent-s1-r07","seq":9,"ts":"2026-12-06T06:00:00Z","site":"s1","rack":"r07",""" + members[1..];

        FarmDecodeResult result = FarmMessageDecoder.Decode(Topic, Encoding.UTF8.GetBytes(json));

        Assert.Null(result.Message);
        Assert.Equal(FarmRejection.Malformed, result.Rejection!.Kind);
        Assert.Contains(expected, result.Rejection.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_row_rejects_that_entry_alone_naming_the_problem()
    {
        const string json = """
            {"schema":"farm.v1.telemetry-batch","publisher":"agent-s1-r07","seq":9,"ts":"2026-12-06T06:00:00Z","site":"s1","rack":"r07",
             "kinds":[{"pf":"antminer-s19"}],"pools":[{"url":"stratum+tcp://btc.example.com:3333"}],
             "cols":["id","k","h5","fan","pl"],"pcols":["p","i","da"],
             "miners":[
               ["ok-1",0,1e14,[5400],[[0,0,5e6]]],
               ["long",0,1e14,null,[],"one too many"],
               ["text",0,"104 TH/s",null,[]],
               ["kind",3,1e14,null,[]],
               ["fan",0,1e14,[5400,"fast"],[]],
               ["nan",0,1e14,null,[[0,0,1e400]]],
               ["noidx",0,1e14,null,[[0]]],
               "not a row",
               ["ok-2",0,2e14]
             ]}
            """;

        TelemetryBatchReading[] readings = [.. Decode(Encoding.UTF8.GetBytes(json)).Readings()];

        Assert.Equal(["ok-1", "ok-2"], readings.Where(r => r.Problem is null).Select(r => r.MinerId!));
        Assert.Contains("has 6 values, but \"cols\" names 5", readings[1].Problem, StringComparison.Ordinal);
        Assert.Contains("\"h5\" must be a number, found String", readings[2].Problem, StringComparison.Ordinal);
        Assert.Contains("\"k\" refers to kind 3, but the batch names 1 kinds", readings[3].Problem, StringComparison.Ordinal);
        Assert.Contains("\"fan[1]\" must be a 32-bit integer", readings[4].Problem, StringComparison.Ordinal);
        Assert.Contains("\"pl[0].da\"", readings[5].Problem, StringComparison.Ordinal);
        Assert.Contains("infinity", readings[5].Problem, StringComparison.Ordinal);
        Assert.Contains("\"pl[0]\" has no \"i\"", readings[6].Problem, StringComparison.Ordinal);
        Assert.Contains("not a row", readings[7].Problem, StringComparison.Ordinal);
        Assert.Equal(2e14, readings[8].Telemetry!.Hashrate5sHs);
        Assert.Empty(readings[8].Telemetry!.Pools);
    }

    [Fact]
    public void Reading_a_rack_of_200_allocates_little_more_than_what_the_readings_keep()
    {
        MinerTelemetryPayload sample = MinerTelemetryPayload.From(WireSamples.Snapshot(), "s1", "r07", "m-0", "agent-s1-r07", 0, WireSamples.At);
        TelemetryBatchPayload batch = TelemetryBatchPayload.From([.. Enumerable.Range(0, 200).Select(i => sample with { MinerId = $"m-{i:0000}" })], "s1", "r07", "agent-s1-r07", WireSamples.At).Single() with { Seq = 5 };
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(batch, FarmJsonContext.Default.TelemetryBatchPayload);
        Decode(bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        TelemetryBatchPayload read = Decode(bytes);
        long perReading = (GC.GetAllocatedBytesForCurrentThread() - before) / 200;

        Assert.Equal(200, read.Miners.Count);
        Assert.All(read.Miners, e => Assert.Null(e.Problem));

        // What a reading keeps: the entry, its id, its fan list and its pools (the sample has three with difficulty
        // counters). The entry-by-entry serializer this replaced allocated about 3 KB a reading.
        Assert.True(perReading < 1_000, $"{perReading} bytes allocated a reading");
    }

    private static TelemetryBatchPayload Decode(byte[] payload)
    {
        FarmDecodeResult result = FarmMessageDecoder.Decode(Topic, payload);
        Assert.True(result.Message is not null, result.Rejection?.Problem);
        return Assert.IsType<TelemetryBatchPayload>(result.Message.Payload);
    }
}
