using System.Text;
using CloudMining.Farm.Influx.LineProtocol;
using Xunit;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>Exact lines for known points, taken from the InfluxDB line-protocol reference's examples and escaping table.</summary>
public sealed class LineProtocolWriterTests
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

        Assert.Equal("m f=82.5,whole=82,neg=-1.5E-07,big=1E+20,i=-42i,u=42u,t=true,b=false,s=\"x\"", line);
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
        string line = PointData.Measurement("m").Field("f", 1L).Timestamp(time, WritePrecision.Ns).ToLineProtocol(precision);

        Assert.Equal("m f=1i " + expected, line);
    }

    [Fact]
    public void Tags_are_sorted_by_key_and_a_repeated_key_replaces_the_value()
    {
        string line = PointData.Measurement("m").Tag("b", "1").Tag("a", "2").Tag("b", "3").Tag("c", "").Field("f", 1L).ToLineProtocol();

        Assert.Equal("m,a=2,b=3 f=1i", line);
    }

    [Theory]
    [InlineData("", "f", "measurement name is empty")]
    [InlineData("#m", "f", "starts with '#'")]
    [InlineData("m\nx", "f", "contains a newline")]
    [InlineData("m", "f\n", "contains a newline")]
    [InlineData("m", "", "field key is empty")]
    [InlineData("m\\", "f", "ends with a backslash")]
    [InlineData("m\\ x", "f", "backslash right before ' '")]
    public void Unrepresentable_names_are_rejected_with_a_clear_error(string measurement, string field, string expected)
    {
        var ex = Assert.Throws<LineProtocolException>(() => PointData.Measurement(measurement).Field(field, 1.0).ToLineProtocol());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k\n", "v", "tag key")]
    [InlineData("k", "v\n", "value of tag \"k\"")]
    public void Newline_in_tags_is_rejected_naming_the_part(string key, string value, string part)
    {
        var ex = Assert.Throws<LineProtocolException>(() => PointData.Measurement("m").Tag(key, value).Field("f", 1.0).ToLineProtocol());
        Assert.Contains(part, ex.Message, StringComparison.Ordinal);
        Assert.Contains("newline", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NaN_and_infinity_are_rejected_naming_the_field(double value)
    {
        var ex = Assert.Throws<LineProtocolException>(() => PointData.Measurement("m").Field("temp", value).ToLineProtocol());
        Assert.Contains("\"temp\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NaN or infinity", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_point_without_fields_is_rejected()
    {
        var ex = Assert.Throws<LineProtocolException>(() => PointData.Measurement("m").Tag("k", "v").ToLineProtocol());
        Assert.Contains("no fields", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lone_surrogate_is_rejected()
    {
        var ex = Assert.Throws<LineProtocolException>(() => PointData.Measurement("m").Tag("k", "a\uD800b").Field("f", 1.0).ToLineProtocol());
        Assert.Contains("lone surrogate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejected_point_leaves_the_earlier_points_of_the_batch_intact()
    {
        using var writer = new LineProtocolWriter(16);
        writer.WritePoint(PointData.Measurement("ok").Field("f", 1L), WritePrecision.Ns);
        Assert.Throws<LineProtocolException>(() => writer.WritePoint(PointData.Measurement("bad").Tag("t", "x").Field("f", double.NaN), WritePrecision.Ns));
        writer.WritePoint(PointData.Measurement("ok2").Field("f", 2L), WritePrecision.Ns);

        Assert.Equal("ok f=1i\nok2 f=2i\n", Encoding.UTF8.GetString(writer.WrittenMemory.Span));
        Assert.Equal(2, writer.PointCount);
    }

    [Fact]
    public void Tag_after_field_is_an_error()
    {
        using var writer = new LineProtocolWriter();
        writer.Measurement("m").Field("f", 1L);
        var ex = Assert.Throws<LineProtocolException>(() => writer.Tag("t", "v"));
        Assert.Contains("after a field", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, writer.Length);
    }
}
