using System.Globalization;

namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>
/// One point, built fluently like InfluxDB.Client's <c>PointData</c>: <c>PointData.Measurement("m").Tag(..).Field(..).Timestamp(..)</c>.
/// Unlike the package's type this builder mutates and returns itself (cheaper per point); reassigning the result works with both.
/// </summary>
public sealed class PointData
{
    private readonly List<KeyValuePair<string, string>> _tags = [];
    private readonly List<KeyValuePair<string, FieldValue>> _fields = [];

    private PointData(string measurement)
    {
        MeasurementName = measurement;
    }

    /// <summary>The measurement the point belongs to.</summary>
    public string MeasurementName { get; }

    /// <summary>Tags sorted by key (ordinal), as the line-protocol reference recommends for write performance.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags => _tags;

    /// <summary>Fields in the order they were first added.</summary>
    public IReadOnlyList<KeyValuePair<string, FieldValue>> Fields => _fields;

    /// <summary>The timestamp in <see cref="TimestampPrecision"/> units, or null for "let the server stamp it".</summary>
    public long? TimestampValue { get; private set; }

    public WritePrecision TimestampPrecision { get; private set; } = WritePrecision.Ns;

    /// <summary>True when the point has at least one field (line protocol requires one).</summary>
    public bool HasFields => _fields.Count > 0;

    /// <summary>Starts a point in <paramref name="measurementName"/>.</summary>
    public static PointData Measurement(string measurementName)
    {
        ArgumentNullException.ThrowIfNull(measurementName);
        return new PointData(measurementName);
    }

    /// <summary>Sets a tag; a null or empty value removes the tag, as InfluxDB.Client does (the server rejects empty tag values).</summary>
    public PointData Tag(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = FindTag(name, out bool found);
        if (string.IsNullOrEmpty(value))
        {
            if (found)
            {
                _tags.RemoveAt(index);
            }

            return this;
        }

        if (found)
        {
            _tags[index] = new(name, value);
        }
        else
        {
            _tags.Insert(index, new(name, value));
        }

        return this;
    }

    public PointData Field(string name, double value) => SetField(name, FieldValue.Float(value));

    public PointData Field(string name, float value) => SetField(name, FieldValue.Float(value));

    public PointData Field(string name, decimal value) => SetField(name, FieldValue.Float((double)value));

    public PointData Field(string name, long value) => SetField(name, FieldValue.Integer(value));

    public PointData Field(string name, int value) => SetField(name, FieldValue.Integer(value));

    public PointData Field(string name, ulong value) => SetField(name, FieldValue.Unsigned(value));

    public PointData Field(string name, uint value) => SetField(name, FieldValue.Unsigned(value));

    public PointData Field(string name, bool value) => SetField(name, FieldValue.Boolean(value));

    /// <summary>Sets a string field; a null value removes the field.</summary>
    public PointData Field(string name, string? value) => value is null ? RemoveField(name) : SetField(name, FieldValue.String(value));

    public PointData Field(string name, FieldValue value) => SetField(name, value);

    /// <summary>Sets the timestamp as a count of <paramref name="precision"/> units since the Unix epoch.</summary>
    public PointData Timestamp(long timestamp, WritePrecision precision)
    {
        TimestampValue = timestamp;
        TimestampPrecision = precision;
        return this;
    }

    /// <summary>Sets the timestamp from a UTC-convertible time, truncated to <paramref name="precision"/>.</summary>
    public PointData Timestamp(DateTimeOffset timestamp, WritePrecision precision) =>
        Timestamp(timestamp.ToUnixTime(precision), precision);

    /// <summary>Sets the timestamp from a <see cref="DateTime"/>; a Local or Unspecified kind is rejected so time zones never slip in.</summary>
    public PointData Timestamp(DateTime timestamp, WritePrecision precision)
    {
        if (timestamp.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Timestamp {timestamp.ToString("O", CultureInfo.InvariantCulture)} has Kind={timestamp.Kind}; pass a UTC DateTime (DateTime.UtcNow or DateTime.SpecifyKind(.., DateTimeKind.Utc)).", nameof(timestamp));
        }

        return Timestamp(new DateTimeOffset(timestamp), precision);
    }

    /// <summary>The point as one line of line protocol (no trailing newline), in the given precision.</summary>
    public string ToLineProtocol(WritePrecision precision = WritePrecision.Ns)
    {
        using var writer = new LineProtocolWriter(256);
        writer.WritePoint(this, precision);
        return System.Text.Encoding.UTF8.GetString(writer.WrittenMemory.Span[..^1]);
    }

    public override string ToString() => ToLineProtocol(TimestampPrecision);

    private PointData SetField(string name, FieldValue value)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < _fields.Count; i++)
        {
            if (string.Equals(_fields[i].Key, name, StringComparison.Ordinal))
            {
                _fields[i] = new(name, value);
                return this;
            }
        }

        _fields.Add(new(name, value));
        return this;
    }

    private PointData RemoveField(string name)
    {
        _fields.RemoveAll(f => string.Equals(f.Key, name, StringComparison.Ordinal));
        return this;
    }

    private int FindTag(string name, out bool found)
    {
        int lo = 0;
        int hi = _tags.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            int cmp = string.CompareOrdinal(_tags[mid].Key, name);
            if (cmp == 0)
            {
                found = true;
                return mid;
            }

            if (cmp < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        found = false;
        return lo;
    }
}
