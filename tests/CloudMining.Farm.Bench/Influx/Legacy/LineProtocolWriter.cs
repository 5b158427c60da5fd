using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Unicode;

namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>
/// Serialises points into line protocol straight into a pooled UTF-8 buffer, escaping as the InfluxDB line-protocol
/// reference prescribes; pure code, no I/O. A point that cannot be represented throws <see cref="LineProtocolException"/>
/// and leaves the buffer as it was before that point.
/// </summary>
public sealed class LineProtocolWriter : IDisposable
{
    private readonly PooledByteBuffer _buffer;
    private int _lineStart;
    private State _state;

    public LineProtocolWriter(int initialCapacity = 64 * 1024)
    {
        _buffer = new PooledByteBuffer(initialCapacity);
    }

    private enum Position
    {
        Measurement,
        TagKey,
        TagValue,
        FieldKey,
        StringValue,
    }

    private enum State
    {
        BetweenPoints,
        InTags,
        InFields,
    }

    /// <summary>Complete points written since the last <see cref="Reset"/>.</summary>
    public int PointCount { get; private set; }

    /// <summary>Bytes of complete points (a point being built is not counted).</summary>
    public int Length => _state == State.BetweenPoints ? _buffer.Length : _lineStart;

    /// <summary>The complete points, newline-terminated; valid until the next write or <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory[..Length];

    /// <summary>Forgets everything written, keeping the rented buffer.</summary>
    public void Reset()
    {
        _buffer.Reset();
        _lineStart = 0;
        _state = State.BetweenPoints;
        PointCount = 0;
    }

    /// <summary>Starts a point. A point left unfinished by the previous call is discarded.</summary>
    public LineProtocolWriter Measurement(ReadOnlySpan<char> measurement)
    {
        RollBackOpenPoint();
        _lineStart = _buffer.Length;
        if (measurement.IsEmpty)
        {
            throw new LineProtocolException("The measurement name is empty; every point needs one (e.g. \"miner\").");
        }

        if (measurement[0] == '#')
        {
            throw new LineProtocolException($"Measurement \"{measurement}\" starts with '#', which the server reads as a comment line; choose another name.");
        }

        _state = State.InTags;
        WriteEscaped(measurement, Position.Measurement, default);
        return this;
    }

    /// <summary>Adds a tag; all tags must come before the first field.</summary>
    public LineProtocolWriter Tag(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        if (_state != State.InTags)
        {
            Fail(_state == State.InFields
                ? $"Tag \"{key}\" was added after a field; line protocol puts all tags before the fields."
                : $"Tag \"{key}\" was added before a measurement; call Measurement first.");
        }

        if (key.IsEmpty)
        {
            Fail("A tag key is empty; give the tag a name.");
        }

        if (value.IsEmpty)
        {
            Fail($"Tag \"{key}\" has an empty value, which the server rejects; leave the tag out instead.");
        }

        Put((byte)',');
        WriteEscaped(key, Position.TagKey, default);
        Put((byte)'=');
        WriteEscaped(value, Position.TagValue, key);
        return this;
    }

    /// <summary>Adds a float field. NaN and infinities are rejected: line protocol has no spelling for them.</summary>
    public LineProtocolWriter Field(ReadOnlySpan<char> key, double value)
    {
        if (!double.IsFinite(value))
        {
            Fail($"Field \"{key}\" is {value.ToString(CultureInfo.InvariantCulture)}; line protocol cannot carry NaN or infinity. Leave the field out or send a sentinel explicitly.");
        }

        StartField(key);
        // Shortest text that parses back to the same double; exponent forms (1E+20) parse in influxd and VictoriaMetrics.
        Span<byte> span = _buffer.GetSpan(32);
        value.TryFormat(span, out int written, "R", CultureInfo.InvariantCulture);
        _buffer.Advance(written);
        return this;
    }

    /// <summary>Adds a signed 64-bit integer field (<c>42i</c>).</summary>
    public LineProtocolWriter Field(ReadOnlySpan<char> key, long value)
    {
        StartField(key);
        Span<byte> span = _buffer.GetSpan(21);
        Utf8Formatter.TryFormat(value, span, out int written);
        span[written++] = (byte)'i';
        _buffer.Advance(written);
        return this;
    }

    /// <summary>Adds an unsigned 64-bit integer field (<c>42u</c>); InfluxDB 1.x rejects these, 2.x and VictoriaMetrics accept them.</summary>
    public LineProtocolWriter Field(ReadOnlySpan<char> key, ulong value)
    {
        StartField(key);
        Span<byte> span = _buffer.GetSpan(21);
        Utf8Formatter.TryFormat(value, span, out int written);
        span[written++] = (byte)'u';
        _buffer.Advance(written);
        return this;
    }

    /// <summary>Adds a boolean field.</summary>
    public LineProtocolWriter Field(ReadOnlySpan<char> key, bool value)
    {
        StartField(key);
        ReadOnlySpan<byte> text = value ? "true"u8 : "false"u8;
        text.CopyTo(_buffer.GetSpan(text.Length));
        _buffer.Advance(text.Length);
        return this;
    }

    /// <summary>Adds a string field; double quotes and backslashes are escaped, anything else (newlines included) is kept.</summary>
    public LineProtocolWriter StringField(ReadOnlySpan<char> key, ReadOnlySpan<char> value)
    {
        StartField(key);
        Put((byte)'"');
        WriteEscaped(value, Position.StringValue, key);
        Put((byte)'"');
        return this;
    }

    /// <summary>Adds a field of any kind.</summary>
    public LineProtocolWriter Field(ReadOnlySpan<char> key, in FieldValue value) => value.Kind switch
    {
        FieldValueKind.Float => Field(key, value.AsDouble),
        FieldValueKind.Integer => Field(key, value.AsInteger),
        FieldValueKind.UnsignedInteger => Field(key, value.AsUnsigned),
        FieldValueKind.Boolean => Field(key, value.AsBoolean),
        FieldValueKind.String => StringField(key, value.Text),
        _ => throw new LineProtocolException($"Field \"{key}\" has an unknown kind {value.Kind}."),
    };

    /// <summary>Ends the point with a timestamp in the batch's precision, or none to let the server stamp it.</summary>
    public void EndPoint(long? timestamp = null)
    {
        if (_state == State.BetweenPoints)
        {
            Fail("EndPoint was called with no point started; call Measurement first.");
        }

        if (_state == State.InTags)
        {
            Fail("The point has no fields; line protocol needs at least one field (e.g. .Field(\"value\", 1.0)).");
        }

        if (timestamp is { } ts)
        {
            Span<byte> span = _buffer.GetSpan(21);
            span[0] = (byte)' ';
            Utf8Formatter.TryFormat(ts, span[1..], out int written);
            _buffer.Advance(written + 1);
        }

        Put((byte)'\n');
        _state = State.BetweenPoints;
        _lineStart = _buffer.Length;
        PointCount++;
    }

    /// <summary>Writes a whole <see cref="PointData"/>, converting its timestamp to <paramref name="precision"/>.</summary>
    public void WritePoint(PointData point, WritePrecision precision) => WritePoint(point, precision, null);

    /// <summary>Writes a whole <see cref="PointData"/>; a point without a timestamp gets <paramref name="defaultTimestamp"/> (already in <paramref name="precision"/>).</summary>
    public void WritePoint(PointData point, WritePrecision precision, long? defaultTimestamp)
    {
        ArgumentNullException.ThrowIfNull(point);
        try
        {
            Measurement(point.MeasurementName);
            // Indexed loops: foreach over the IReadOnlyList would box an enumerator per point.
            IReadOnlyList<KeyValuePair<string, string>> tags = point.Tags;
            for (int i = 0; i < tags.Count; i++)
            {
                Tag(tags[i].Key, tags[i].Value);
            }

            IReadOnlyList<KeyValuePair<string, FieldValue>> fields = point.Fields;
            for (int i = 0; i < fields.Count; i++)
            {
                KeyValuePair<string, FieldValue> field = fields[i];
                Field(field.Key, field.Value);
            }

            long? timestamp = point.TimestampValue is { } ts
                ? WritePrecisionExtensions.Convert(ts, point.TimestampPrecision, precision)
                : defaultTimestamp;
            EndPoint(timestamp);
        }
        catch
        {
            RollBackOpenPoint();
            throw;
        }
    }

    public void Dispose() => _buffer.Dispose();

    private void StartField(ReadOnlySpan<char> key)
    {
        if (_state == State.BetweenPoints)
        {
            Fail($"Field \"{key}\" was added before a measurement; call Measurement first.");
        }

        if (key.IsEmpty)
        {
            Fail("A field key is empty; give the field a name.");
        }

        Put(_state == State.InTags ? (byte)' ' : (byte)',');
        _state = State.InFields;
        WriteEscaped(key, Position.FieldKey, default);
        Put((byte)'=');
    }

    private void Put(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }

    private void WriteEscaped(ReadOnlySpan<char> text, Position position, ReadOnlySpan<char> owner)
    {
        bool[] table = position switch
        {
            Position.Measurement => Escapes.Measurement,
            Position.StringValue => Escapes.StringValue,
            _ => Escapes.Key,
        };
        bool isName = position != Position.StringValue;

        // Worst case: every ASCII char doubles (escape), every other UTF-16 unit becomes at most 3 UTF-8 bytes.
        Span<byte> dest = _buffer.GetSpan(text.Length * 3);
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                // influxd treats a backslash before a separator or '"' as an escape even where the reference needs none (and unescapes \" in keys),
                // and the reference offers no escape for the backslash itself: such names cannot be written faithfully.
                if (isName && c is ',' or '=' or ' ' or '"' && i > 0 && text[i - 1] == '\\')
                {
                    Fail($"The {Describe(position, owner)} \"{text}\" has a backslash right before '{c}'; line protocol has no escape for a backslash there, so the server would misread it. Remove or replace the backslash.");
                }

                if (table[c])
                {
                    dest[n++] = (byte)'\\';
                }
                else if (isName && c == '\n')
                {
                    Fail($"The {Describe(position, owner)} \"{text.ToString().Replace("\n", "\\n", StringComparison.Ordinal)}\" contains a newline, which ends a line-protocol line; remove it.");
                }

                dest[n++] = (byte)c;
                continue;
            }

            int start = i;
            while (i + 1 < text.Length && text[i + 1] >= 0x80)
            {
                i++;
            }

            OperationStatus status = Utf8.FromUtf16(text[start..(i + 1)], dest[n..], out _, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                Fail($"The {Describe(position, owner)} contains invalid UTF-16 (a lone surrogate at index {start}); it cannot be encoded as UTF-8.");
            }

            n += written;
        }

        if (isName && text.Length > 0 && text[^1] == '\\')
        {
            Fail($"The {Describe(position, owner)} \"{text}\" ends with a backslash, which line protocol reads as escaping the separator after it; remove or replace it.");
        }

        _buffer.Advance(n);
    }

    private static string Describe(Position position, ReadOnlySpan<char> owner) => position switch
    {
        Position.Measurement => "measurement",
        Position.TagKey => "tag key",
        Position.TagValue => $"value of tag \"{owner}\"",
        Position.FieldKey => "field key",
        _ => $"string field \"{owner}\"",
    };

    private void RollBackOpenPoint()
    {
        if (_state != State.BetweenPoints)
        {
            _buffer.Truncate(_lineStart);
            _state = State.BetweenPoints;
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(string message)
    {
        RollBackOpenPoint();
        throw new LineProtocolException(message);
    }

    /// <summary>Which ASCII characters get a backslash in each position, per the line-protocol reference.</summary>
    private static class Escapes
    {
        public static readonly bool[] Measurement = Table(", ");
        public static readonly bool[] Key = Table(",= ");
        public static readonly bool[] StringValue = Table("\"\\");

        private static bool[] Table(string chars)
        {
            var table = new bool[128];
            foreach (char c in chars)
            {
                table[c] = true;
            }

            return table;
        }
    }
}
