using InfluxDB.Client.Api.Domain;

namespace CloudMining.Farm.Influx.LineProtocol;

/// <summary>Conversions between <see cref="WritePrecision"/>, the query-string token and .NET time values.</summary>
public static class WritePrecisionExtensions
{
    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    /// <summary>The token the v2 API (and configuration) uses in <c>precision=</c>: ns, us, ms, s.</summary>
    public static string ToQueryValue(this WritePrecision precision) => precision switch
    {
        WritePrecision.Ns => "ns",
        WritePrecision.Us => "us",
        WritePrecision.Ms => "ms",
        WritePrecision.S => "s",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Use ns, us, ms or s."),
    };

    /// <summary>
    /// The token InfluxDB 1.x expects: it spells microseconds "u" and silently treats any unknown token (such as "us")
    /// as nanoseconds, which would store microsecond timestamps 1000x too early.
    /// </summary>
    public static string ToV1QueryValue(this WritePrecision precision) => precision == WritePrecision.Us ? "u" : precision.ToQueryValue();

    /// <summary>Parses "ns", "us", "ms" or "s" (case-insensitive), the form used in configuration.</summary>
    public static bool TryParse(string? text, out WritePrecision precision)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "NS": precision = WritePrecision.Ns; return true;
            case "US": precision = WritePrecision.Us; return true;
            case "MS": precision = WritePrecision.Ms; return true;
            case "S": precision = WritePrecision.S; return true;
            default: precision = WritePrecision.Ns; return false;
        }
    }

    /// <summary>Time since the Unix epoch in the given unit; sub-unit remainders are truncated toward the past.</summary>
    public static long ToUnixTime(this DateTimeOffset time, WritePrecision precision)
    {
        // Ticks are 100 ns, so ns is the only unit that multiplies; the others divide with floor semantics
        // so that times before 1970 round toward the past like the server does.
        long ticks = time.UtcTicks - UnixEpochTicks;
        return precision switch
        {
            WritePrecision.Ns => checked(ticks * 100),
            WritePrecision.Us => FloorDiv(ticks, 10),
            WritePrecision.Ms => FloorDiv(ticks, TimeSpan.TicksPerMillisecond),
            WritePrecision.S => FloorDiv(ticks, TimeSpan.TicksPerSecond),
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Use ns, us, ms or s."),
        };
    }

    /// <summary>Converts a count of <paramref name="from"/> units into <paramref name="to"/> units (truncating when coarser).</summary>
    public static long Convert(long value, WritePrecision from, WritePrecision to)
    {
        long fromNs = NanosecondsPer(from);
        long toNs = NanosecondsPer(to);
        return fromNs >= toNs ? checked(value * (fromNs / toNs)) : FloorDiv(value, toNs / fromNs);
    }

    internal static long NanosecondsPer(WritePrecision precision) => precision switch
    {
        WritePrecision.Ns => 1,
        WritePrecision.Us => 1_000,
        WritePrecision.Ms => 1_000_000,
        WritePrecision.S => 1_000_000_000,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Use ns, us, ms or s."),
    };

    private static long FloorDiv(long a, long b)
    {
        long q = Math.DivRem(a, b, out long r);
        return r < 0 ? q - 1 : q;
    }
}
