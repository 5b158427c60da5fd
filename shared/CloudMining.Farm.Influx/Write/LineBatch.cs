using System.Buffers;
using System.Globalization;
using System.Text;
using CloudMining.Farm.Influx.LineProtocol;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Influx.Write;

/// <summary>
/// The batch being filled: UTF-8 line protocol from <see cref="PointData.ToLineProtocol"/>, one point per line, every
/// timestamp in the client's precision. A point without a timestamp is stamped with the time it was queued, so a
/// batch replayed after an outage keeps the time the reading was taken.
/// </summary>
internal sealed class LineBatch(int initialCapacity)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(initialCapacity);

    public int PointCount { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    /// <summary>Appends one point; <paramref name="now"/> (in <paramref name="precision"/>) stamps a point that has no timestamp.</summary>
    public void Add(PointData point, WritePrecision precision, long now)
    {
        ArgumentNullException.ThrowIfNull(point);
        string line = point.ToLineProtocol();
        if (line.Length == 0)
        {
            // The package writes nothing for a point without fields; line protocol needs at least one.
            throw new ArgumentException("A point without fields cannot be written (line protocol needs at least one field); add a field or skip the point.", nameof(point));
        }

        ReadOnlySpan<char> text = line;
        long? timestamp = now;
        if (TrailingTimestamp(line, out int space, out long value))
        {
            // Same unit: the package's line goes out as it is. Another unit: the point's timestamp, converted.
            timestamp = point.Precision == precision ? null : WritePrecisionExtensions.Convert(value, point.Precision, precision);
            text = timestamp is null ? line : line.AsSpan(0, space);
        }

        Span<byte> span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length) + 22);
        int length = Encoding.UTF8.GetBytes(text, span);
        if (timestamp is long ts)
        {
            span[length++] = (byte)' ';
            ts.TryFormat(span[length..], out int digits, default, CultureInfo.InvariantCulture);
            length += digits;
        }

        span[length++] = (byte)'\n';
        _buffer.Advance(length);
        PointCount++;
    }

    public void Reset()
    {
        _buffer.ResetWrittenCount();
        PointCount = 0;
    }

    /// <summary>
    /// True when the line ends in a timestamp. A line without one ends in its last field, whose last token holds a
    /// <c>=</c> or ends in a quote, never in bare digits, so the check cannot mistake a field for a timestamp.
    /// </summary>
    internal static bool TrailingTimestamp(string line, out int space, out long value)
    {
        space = line.LastIndexOf(' ');
        value = 0;
        return space > 0 && long.TryParse(line.AsSpan(space + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
