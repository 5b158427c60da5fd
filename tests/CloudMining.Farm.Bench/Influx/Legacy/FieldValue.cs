#pragma warning disable CA1720 // The names are the line-protocol reference's field types (float, integer, unsigned, string).
namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>One typed field value of a <see cref="PointData"/>, kept unboxed so building a point allocates no per-field object.</summary>
public readonly record struct FieldValue
{
    private readonly long _bits;

    private FieldValue(FieldValueKind kind, long bits, string? text)
    {
        Kind = kind;
        _bits = bits;
        Text = text;
    }

    public FieldValueKind Kind { get; }

    /// <summary>The value of a <see cref="FieldValueKind.String"/> field; null for the others.</summary>
    public string? Text { get; }

    public double AsDouble => BitConverter.Int64BitsToDouble(_bits);

    public long AsInteger => _bits;

    public ulong AsUnsigned => unchecked((ulong)_bits);

    public bool AsBoolean => _bits != 0;

    public static FieldValue Float(double value) => new(FieldValueKind.Float, BitConverter.DoubleToInt64Bits(value), null);

    public static FieldValue Integer(long value) => new(FieldValueKind.Integer, value, null);

    public static FieldValue Unsigned(ulong value) => new(FieldValueKind.UnsignedInteger, unchecked((long)value), null);

    public static FieldValue Boolean(bool value) => new(FieldValueKind.Boolean, value ? 1 : 0, null);

    public static FieldValue String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(FieldValueKind.String, 0, value);
    }
}
