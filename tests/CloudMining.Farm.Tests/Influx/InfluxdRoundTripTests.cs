using System.Net;
using System.Text.Json;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Http;
using CloudMining.Farm.Influx.LineProtocol;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>Points written to a real influxd 1.x and queried back: exact names, values, types and timestamps.</summary>
[Trait("Category", "Integration")]
public sealed class InfluxdRoundTripTests(InfluxdFixture fixture) : IClassFixture<InfluxdFixture>
{
    private const long BaseTime = 1_763_700_000_000_000_000L;

    [Fact]
    public async Task Names_with_spaces_commas_equals_quotes_backslashes_and_unicode_come_back_exactly()
    {
        string db = await fixture.NewDatabaseAsync();
        (string M, string Tk, string Tv, string Fk, string Fv)[] cases =
        [
            ("rack temp", "rack id", "row 1, slot=2", "chip temp", "hot \"very\" C:\\miner\\log"),
            ("a,b=c", "k=v", "a=b", "f,g h", "tab\there, newline\nthere"),
            ("quote\"d", "q\"k", "v\"q", "f\"k", "\\\\server\\share"),
            ("Ферма 矿机 🚀", "ключ", "значение ⛏", "温度", "ünïcödé 😀"),
            ("back\\slash", "b\\k", "b\\v", "b\\f", "end\\"),
        ];
        using var client = new InfluxDBClient(fixture.Options(db));
        IWriteApiAsync api = client.GetWriteApiAsync();
        for (int i = 0; i < cases.Length; i++)
        {
            (string m, string tk, string tv, string fk, string fv) = cases[i];
            await api.WritePointAsync(PointData.Measurement(m).Tag(tk, tv).Field(fk, fv).Timestamp(BaseTime + i, WritePrecision.Ns));
        }

        var rows = InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT * FROM /.*/"));
        for (int i = 0; i < cases.Length; i++)
        {
            (string m, string tk, string tv, string fk, string fv) = cases[i];
            var row = Assert.Single(rows, r => r.Row["time"].GetInt64() == BaseTime + i);
            Assert.Equal(m, row.Measurement);
            Assert.Equal(tv, row.Row[tk].GetString());
            Assert.Equal(fv, row.Row[fk].GetString());
        }
    }

    [Fact]
    public async Task Seeded_random_names_the_package_can_carry_are_stored_exactly()
    {
        string db = await fixture.NewDatabaseAsync();
        var random = new Random(424242);
        var expected = new List<(long Time, string M, string Tk, string Tv, string Fk, string Fv)>();
        var points = new List<PointData>();
        for (int i = 0; expected.Count < 150; i++)
        {
            string m = LineProtocolPropertyTests.RandomName(random);
            string tk = "t" + LineProtocolPropertyTests.RandomName(random);
            string tv = LineProtocolPropertyTests.RandomName(random);
            string fk = "f" + LineProtocolPropertyTests.RandomName(random);
            string fv = LineProtocolPropertyTests.RandomName(random);
            PointData point = PointData.Measurement(m).Tag(tk, tv).Field(fk, fv).Timestamp(BaseTime + i, WritePrecision.Ns);
            if (!new[] { m, tk, tv, fk }.All(LineProtocolNames.CanCarry))
            {
                continue; // The product leaves such names out (LineProtocolNames); covered by LineProtocolTests.
            }

            points.Add(point);
            expected.Add((BaseTime + i, m, tk, tv, fk, fv));
        }

        using var client = new InfluxDBClient(fixture.Options(db));
        await client.GetWriteApiAsync().WritePointsAsync(points);

        var rows = InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT * FROM /.*/"));
        var missing = expected.Where(e => !rows.Any(r => r.Row["time"].GetInt64() == e.Time)).ToList();
        Assert.True(missing.Count == 0, "missing: " + string.Join(" || ", missing.Select(e => $"{e.M}|{e.Tk}|{e.Tv}|{e.Fk}|{e.Fv} => {PointData.Measurement(e.M).Tag(e.Tk, e.Tv).Field(e.Fk, e.Fv)}")));
        Assert.Equal(expected.Count, rows.Count);
        foreach ((long time, string m, string tk, string tv, string fk, string fv) in expected)
        {
            var row = Assert.Single(rows, r => r.Row["time"].GetInt64() == time);
            Assert.Equal(m, row.Measurement);
            Assert.Equal(tv, row.Row[tk].GetString());
            Assert.Equal(fv, row.Row[fk].GetString());
        }
    }

    [Fact]
    public async Task Float_integer_boolean_and_string_fields_keep_their_exact_values()
    {
        string db = await fixture.NewDatabaseAsync();
        using var client = new InfluxDBClient(fixture.Options(db));
        await client.GetWriteApiAsync().WritePointAsync(PointData.Measurement("types")
            .Field("f", 0.1).Field("tiny", -1.5e-7).Field("huge", 1e20)
            .Field("imax", long.MaxValue).Field("imin", long.MinValue)
            .Field("yes", true).Field("no", false).Field("s", "x y")
            .Timestamp(BaseTime, WritePrecision.Ns));

        var row = Assert.Single(InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT * FROM types"))).Row;
        Assert.Equal(0.1, row["f"].GetDouble());
        Assert.Equal(-1.5e-7, row["tiny"].GetDouble());
        Assert.Equal(1e20, row["huge"].GetDouble());
        Assert.Equal(long.MaxValue, row["imax"].GetInt64());
        Assert.Equal(long.MinValue, row["imin"].GetInt64());
        Assert.Equal(JsonValueKind.True, row["yes"].ValueKind);
        Assert.Equal(JsonValueKind.False, row["no"].ValueKind);
        Assert.Equal("x y", row["s"].GetString());
        Assert.Equal(BaseTime, row["time"].GetInt64());
    }

    [Fact]
    public async Task Influxd_1_6_rejects_unsigned_fields_and_the_error_names_the_line()
    {
        // InfluxDB 1.x only parses the 'u' suffix from 1.8 with a build flag; Debian's 1.6.7 refuses it. Use Field(long) there.
        string db = await fixture.NewDatabaseAsync();
        using var client = new InfluxDBClient(fixture.Options(db));
        PointData point = PointData.Measurement("uns").Field("count", 42UL).Timestamp(BaseTime, WritePrecision.Ns);

        var ex = await Assert.ThrowsAsync<InfluxWriteException>(() => client.GetWriteApiAsync().WritePointAsync(point));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("invalid number", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["uns count=42u " + BaseTime], ex.OffendingLines);
    }

    [Theory]
    [InlineData(WritePrecision.Ns, 1_763_700_123_456_789_100L)]
    [InlineData(WritePrecision.Us, 1_763_700_123_456_789_000L)]
    [InlineData(WritePrecision.Ms, 1_763_700_123_456_000_000L)]
    [InlineData(WritePrecision.S, 1_763_700_123_000_000_000L)]
    public async Task Each_precision_stores_the_timestamp_truncated_to_that_unit(WritePrecision precision, long expectedNs)
    {
        string db = await fixture.NewDatabaseAsync();
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_763_700_123_456).AddTicks(7891);
        using var client = new InfluxDBClient(fixture.Options(db, precision));
        await client.GetWriteApiAsync().WritePointAsync(PointData.Measurement("p").Field("v", 1L).Timestamp(time, WritePrecision.Ns));

        var row = Assert.Single(InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT v FROM p"))).Row;
        Assert.Equal(expectedNs, row["time"].GetInt64());
    }

    [Fact]
    public async Task Partial_write_reports_the_offending_line_and_keeps_the_good_ones()
    {
        string db = await fixture.NewDatabaseAsync();
        using var client = new InfluxDBClient(fixture.Options(db));

        var ex = await Assert.ThrowsAsync<InfluxWriteException>(() => client.GetWriteApiAsync().WriteRecordsAsync(
            ["good v=1 1", "broken v= 2", "good v=3 3"], WritePrecision.Ns));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("partial write", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["broken v= 2"], ex.OffendingLines);
        var rows = InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT v FROM good"));
        Assert.Equal([1.0, 3.0], rows.Select(r => r.Row["v"].GetDouble()));
    }

    [Fact]
    public async Task Batching_writer_reports_a_refused_batch_with_its_line_and_does_not_retry_it()
    {
        string db = await fixture.NewDatabaseAsync();
        using var client = new InfluxDBClient(fixture.Options(db));
        var failures = new List<WriteErrorEventArgs>();
        await using (WriteApi writer = client.GetWriteApi(new WriteOptions { BatchSize = 10, FlushInterval = TimeSpan.FromMilliseconds(50) }))
        {
            writer.WriteFailed += (_, e) => { lock (failures) { failures.Add(e); } };
            writer.WritePoint(PointData.Measurement("bad").Field("u", 1UL).Timestamp(BaseTime, WritePrecision.Ns));
            await writer.FlushAsync();
            writer.WritePoint(PointData.Measurement("fine").Field("v", 2L).Timestamp(BaseTime, WritePrecision.Ns));
            await writer.FlushAsync();

            Assert.Equal(1, writer.Statistics.PointsRejected);
            Assert.Equal(1, writer.Statistics.PointsAcknowledged);
        }

        WriteErrorEventArgs failure = Assert.Single(failures);
        Assert.True(failure.Dropped);
        Assert.Equal(["bad u=1u " + BaseTime], failure.OffendingLines);
        Assert.Single(InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT v FROM fine")));
    }

    [Fact]
    public async Task Gzip_bodies_are_accepted_and_stored_exactly()
    {
        string db = await fixture.NewDatabaseAsync();
        InfluxDBClientOptions options = fixture.Options(db);
        options.EnableGzip = true;
        using var client = new InfluxDBClient(options);
        await client.GetWriteApiAsync().WritePointsAsync(Enumerable.Range(0, 1000).Select(i =>
            PointData.Measurement("gz").Tag("miner", $"m{i % 10}").Field("v", (long)i).Timestamp(BaseTime + i, WritePrecision.Ns)));

        var rows = InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT v FROM gz"));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), rows.Select(r => r.Row["v"].GetInt64()).Order());
    }

    [Fact]
    public async Task Batching_writer_sends_a_partial_batch_after_the_flush_interval()
    {
        string db = await fixture.NewDatabaseAsync();
        using var client = new InfluxDBClient(fixture.Options(db));
        await using WriteApi writer = client.GetWriteApi(new WriteOptions { BatchSize = 1000, FlushInterval = TimeSpan.FromMilliseconds(100) });
        for (int i = 0; i < 7; i++)
        {
            writer.WritePoint(PointData.Measurement("tick").Field("i", (long)i).Timestamp(BaseTime + i, WritePrecision.Ns));
        }

        // No Flush call: only the timer can send these 7 points of a 1000-point batch.
        Assert.True(await Eventually.TrueAsync(() => writer.Statistics.PointsAcknowledged == 7, TimeSpan.FromSeconds(10)));
        Assert.Equal(7, InfluxQueryResult.Rows(await fixture.Server.QueryAsync(db, "SELECT i FROM tick")).Count);
    }
}
