namespace CloudMining.Farm.Influx.Client;

/// <summary>Which HTTP write API the server speaks: InfluxDB 1.x <c>/write</c> or 2.x-compatible <c>/api/v2/write</c>.</summary>
public enum InfluxApiVersion
{
    /// <summary>InfluxDB 1.x: <c>/write?db=&amp;rp=</c>, user and password.</summary>
    V1 = 1,

    /// <summary>InfluxDB 2.x and compatibles (VictoriaMetrics): <c>/api/v2/write?org=&amp;bucket=</c>, <c>Authorization: Token</c>.</summary>
    V2 = 2,
}
