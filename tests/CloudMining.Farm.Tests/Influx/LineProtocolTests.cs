using System.Text;
using CloudMining.Farm.Influx.LineProtocol;
using CloudMining.Farm.Influx.Write;
using Xunit;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>
/// InfluxDB.Client's <c>PointData</c> against the line-protocol reference's examples and escaping table (a guard for
/// package upgrades), and our <see cref="LineBatch"/>: timestamps in the batch precision, refusals that protect a batch.
/// </summary>
public sealed class LineProtocolTests
{
    [Theory]
    // Measurement: comma and space are escaped (reference: "Special characters").
    [InlineData("my Measurement", "fieldKey", "string value", "my\\ Measurement fieldKey=\"string value\"")]
    [InlineData("wea,ther", "temperature", "x", "wea\\,ther temperature=\"x\"")]
    // Measurement keeps '=' as is: only comma and space are escaped there.
    [InlineData("a=b", "f", "x", "a=b f=\"x\"")]
    // Field keys escape comma, equals sign and space.
    [InlineData("weather", "temp=rature", "x", "weather temp\\=rature=\"x\"")]
    [InlineData("weather", "temp, er", "x", "weather temp\\,\\ er=\"x\"")]
    // String field values escape double quote and backslash only.
    [InlineData("myMeasurement", "fieldKey", "\"string\" within a string", "myMeasurement fieldKey=\"\\\"string\\\" within a string\"")]
    [InlineData("weather", "temperature_str", "too hot\\cold", "weather temperature_str=\"too hot\\\\cold\"")]
    [InlineData("weather", "s", "a, b=c", "weather s=\"a, b=c\"")]
    public void Names_and_string_values_are_escaped_as_the_reference_says(string measurement, string field, string value, string expected)
    {
        Assert.Equal(expected, PointData.Measurement(measurement).Field(field, value).ToLineProtocol());
    }

    [Fact]
    public void Tag_keys_and_values_escape_comma_equals_and_space()
    {
        string line = PointData.Measurement("myMeasurement")
            .Tag("tag Key1", "tag Value1")
            .Tag("tag,Key2", "a=b,c")
            .Field("fieldKey", 100L)
            .ToLineProtocol();

        Assert.Equal("myMeasurement,tag\\ Key1=tag\\ Value1,tag\\,Key2=a\\=b\\,c fieldKey=100i", line);
    }

    [Fact]
    public void Reference_example_with_emoji_and_timestamp_is_reproduced()
    {
        string line = PointData.Measurement("myMeasurement").Tag("tagKey", "🍭").Field("fieldKey", "Launch 🚀")
            .Timestamp(1556813561098000000L, WritePrecision.Ns).ToLineProtocol();

        Assert.Equal("myMeasurement,tagKey=🍭 fieldKey=\"Launch 🚀\" 1556813561098000000", line);
    }

    [Fact]
    public void Every_field_type_has_its_own_spelling()
    {
        string line = PointData.Measurement("m")
            .Field("f", 82.5).Field("whole", 82.0).Field("neg", -1.5e-7).Field("big", 1e20)
            .Field("i", -42L).Field("u", 42UL).Field("t", true).Field("b", false).Field("s", "x")
            .ToLineProtocol();

        // The package sorts fields by key.
        Assert.Equal("m b=false,big=1E+20,f=82.5,i=-42i,neg=-1.5E-07,s=\"x\",t=true,u=42u,whole=82", line);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0 / 3.0)]
    [InlineData(double.MaxValue)]
    [InlineData(double.Epsilon)]
    [InlineData(-123456789.123456789)]
    public void Floats_round_trip_exactly(double value)
    {
        string line = PointData.Measurement("m").Field("f", value).ToLineProtocol();
        double parsed = double.Parse(line["m f=".Length..], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(parsed));
    }

    [Theory]
    [InlineData(WritePrecision.Ns, "1700000000123456700")]
    [InlineData(WritePrecision.Us, "1700000000123456")]
    [InlineData(WritePrecision.Ms, "1700000000123")]
    [InlineData(WritePrecision.S, "1700000000")]
    public void Timestamps_are_written_in_the_batch_precision(WritePrecision precision, string expected)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1700000000123).AddTicks(4567);
        var batch = new LineBatch(16);
        batch.Add(PointData.Measurement("m").Field("f", 1L).Timestamp(time, WritePrecision.Ns), precision, now: 5);

        Assert.Equal("m f=1i " + expected + "\n", Encoding.UTF8.GetString(batch.WrittenMemory.Span));
    }

    [Theory]
    [InlineData("m f=1i")]
    [InlineData("m s=\"a 123\"")]
    [InlineData("m s=\"-5\"")]
    [InlineData("m,t=1\\ 2 f\\ 3=4i")]
    public void A_point_without_timestamp_is_stamped_when_queued(string expectedLine)
    {
        PointData point = expectedLine switch
        {
            "m f=1i" => PointData.Measurement("m").Field("f", 1L),
            "m s=\"a 123\"" => PointData.Measurement("m").Field("s", "a 123"),
            "m s=\"-5\"" => PointData.Measurement("m").Field("s", "-5"),
            _ => PointData.Measurement("m").Tag("t", "1 2").Field("f 3", 4L),
        };
        Assert.Equal(expectedLine, point.ToLineProtocol());
        var batch = new LineBatch(16);
        batch.Add(point, WritePrecision.S, now: 1700000000);

        Assert.Equal(expectedLine + " 1700000000\n", Encoding.UTF8.GetString(batch.WrittenMemory.Span));
    }

    [Fact]
    public void Tags_are_sorted_by_key_and_a_repeated_key_replaces_the_value()
    {
        string line = PointData.Measurement("m").Tag("b", "1").Tag("a", "2").Tag("b", "3").Tag("c", "").Field("f", 1L).ToLineProtocol();

        Assert.Equal("m,a=2,b=3 f=1i", line);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NaN_and_infinity_fields_are_left_out_and_a_point_left_without_fields_is_refused(double value)
    {
        Assert.Equal("m ok=1i", PointData.Measurement("m").Field("temp", value).Field("ok", 1L).ToLineProtocol());
        var ex = Assert.Throws<ArgumentException>(() => new LineBatch(16).Add(PointData.Measurement("m").Field("temp", value), WritePrecision.Ns, 0));
        Assert.Contains("without fields", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rack-01", true)]
    [InlineData("S19 Pro, 110 TH/s = fast", true)]
    [InlineData("back\\slash", true)]
    [InlineData("", false)]
    [InlineData("ends\\", false)]
    [InlineData("a\\,b", false)]
    [InlineData("a\\ b", false)]
    [InlineData("a\\=b", false)]
    [InlineData("a\\\"b", false)]
    [InlineData("a\\\\b", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("line\rbreak", false)]
    public void Names_the_package_cannot_write_faithfully_are_named(string text, bool canCarry)
    {
        Assert.Equal(canCarry, LineProtocolNames.CanCarry(text));
    }

    [Fact]
    public void A_refused_point_leaves_the_earlier_points_of_the_batch_intact()
    {
        var batch = new LineBatch(16);
        batch.Add(PointData.Measurement("ok").Field("f", 1L).Timestamp(7L, WritePrecision.Ns), WritePrecision.Ns, 0);
        Assert.Throws<ArgumentException>(() => batch.Add(PointData.Measurement("bad").Tag("t", "x").Field("f", double.NaN), WritePrecision.Ns, 0));
        batch.Add(PointData.Measurement("ok2").Field("f", 2L).Timestamp(8L, WritePrecision.Ns), WritePrecision.Ns, 0);

        Assert.Equal("ok f=1i 7\nok2 f=2i 8\n", Encoding.UTF8.GetString(batch.WrittenMemory.Span));
        Assert.Equal(2, batch.PointCount);
    }
}
