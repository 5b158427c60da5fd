#pragma warning disable CA1720 // The names are the line-protocol reference's field types (float, integer, unsigned, string).
namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>The four line-protocol field types plus unsigned integers (which InfluxDB 1.x rejects, see docs/influx.md).</summary>
public enum FieldValueKind
{
    Float,
    Integer,
    UnsignedInteger,
    Boolean,
    String,
}
