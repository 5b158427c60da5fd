using System.Text.Json.Serialization;

namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary><c>farm.v1.demand-response</c> on <c>farm/v1/{site}/signals/demand-response</c> (docs/mqtt-contract.md).</summary>
public sealed record DemandResponseMessage(
    [property: JsonPropertyName("schema")] string? Schema,
    [property: JsonPropertyName("site")] string? Site,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("reduceKw")] double? ReduceKw,
    [property: JsonPropertyName("start")] DateTimeOffset? Start,
    [property: JsonPropertyName("end")] DateTimeOffset? End,
    [property: JsonPropertyName("publisher")] string? Publisher);
