using InfluxDB.Client.Api.Domain;

namespace CloudMining.Farm.Influx.Client;

/// <summary>Where and how to write, bound from the <c>Influx</c> configuration section; named like InfluxDB.Client's options.</summary>
public sealed class InfluxDBClientOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Influx";

    /// <summary>History is written only when true (config <c>Influx:Enabled</c>); the host decides whether to create a client at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>Base URL of the HTTP API, e.g. <c>http://127.0.0.1:8086</c> (config <c>Influx:Url</c>).</summary>
    public string Url { get; set; } = "";

    /// <summary>1 for InfluxDB 1.x, 2 for 2.x-compatible servers (config <c>Influx:ApiVersion</c>).</summary>
    public InfluxApiVersion ApiVersion { get; set; } = InfluxApiVersion.V1;

    /// <summary>v1 database (config <c>Influx:Database</c>).</summary>
    public string? Database { get; set; }

    /// <summary>v1 retention policy; empty means the database default (config <c>Influx:RetentionPolicy</c>).</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>v1 user; empty when the server runs without auth (config <c>Influx:Username</c>).</summary>
    public string? Username { get; set; }

    /// <summary>v1 password (config <c>Influx:Password</c>); never logged.</summary>
    public string? Password { get; set; }

    /// <summary>How the v1 user and password are sent (config <c>Influx:AuthMethod</c>).</summary>
    public InfluxV1AuthMethod AuthMethod { get; set; } = InfluxV1AuthMethod.Basic;

    /// <summary>v2 API token (config <c>Influx:Token</c>); never logged.</summary>
    public string? Token { get; set; }

    /// <summary>v2 organisation (config <c>Influx:Org</c>).</summary>
    public string? Org { get; set; }

    /// <summary>v2 bucket (config <c>Influx:Bucket</c>).</summary>
    public string? Bucket { get; set; }

    /// <summary>Timestamp precision on the wire (config <c>Influx:Precision</c>: ns, us, ms or s).</summary>
    public WritePrecision Precision { get; set; } = WritePrecision.Ns;

    /// <summary>Gzip request bodies (config <c>Influx:EnableGzip</c>), as InfluxDB.Client's EnableGzip: fewer bytes on the wire for some client CPU.</summary>
    public bool EnableGzip { get; set; }

    /// <summary>Time allowed for one HTTP request (config <c>Influx:Timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A description safe for logs: URL, API version, database or bucket; credentials are never included.</summary>
    public override string ToString() => ApiVersion == InfluxApiVersion.V1
        ? $"InfluxDB v1 at {Url} database={Database} rp={RetentionPolicy} user={(string.IsNullOrEmpty(Username) ? "(none)" : Username)}"
        : $"InfluxDB v2 at {Url} org={Org} bucket={Bucket}";
}
