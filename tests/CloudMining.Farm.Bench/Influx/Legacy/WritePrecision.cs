namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>Unit of a point's timestamp on the wire, named as in InfluxDB.Client.</summary>
public enum WritePrecision
{
    /// <summary>Nanoseconds since the Unix epoch (the server's default).</summary>
    Ns,

    /// <summary>Microseconds since the Unix epoch.</summary>
    Us,

    /// <summary>Milliseconds since the Unix epoch.</summary>
    Ms,

    /// <summary>Seconds since the Unix epoch.</summary>
    S,
}
