using System.Text.Json.Serialization;

namespace CloudMining.Farm.Influx.Http;

/// <summary>Source-generated JSON metadata for the server's error replies.</summary>
[JsonSerializable(typeof(InfluxErrorBody))]
internal sealed partial class InfluxJsonContext : JsonSerializerContext
{
}
