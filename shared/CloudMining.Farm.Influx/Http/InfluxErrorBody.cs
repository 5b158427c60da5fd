using System.Text.Json.Serialization;

namespace CloudMining.Farm.Influx.Http;

/// <summary>An error reply: 1.x sends <c>{"error": ".."}</c>, 2.x sends <c>{"code": "..", "message": ".."}</c>.</summary>
internal sealed record InfluxErrorBody(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message);
