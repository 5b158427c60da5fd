namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>A point that line protocol cannot represent (empty measurement, no fields, NaN, newline in a key...); the message says which part and why.</summary>
public sealed class LineProtocolException : Exception
{
    public LineProtocolException()
    {
    }

    public LineProtocolException(string message)
        : base(message)
    {
    }

    public LineProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
