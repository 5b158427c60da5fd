using System.Text.Json.Serialization;

namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary><c>farm.v1.energy-price</c> on <c>farm/v1/{site}/signals/energy-price</c> (docs/mqtt-contract.md).</summary>
public sealed record EnergyPriceMessage(
    [property: JsonPropertyName("schema")] string? Schema,
    [property: JsonPropertyName("site")] string? Site,
    [property: JsonPropertyName("pricePerMWh")] decimal? PricePerMWh,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("validFrom")] DateTimeOffset? ValidFrom,
    [property: JsonPropertyName("validUntil")] DateTimeOffset? ValidUntil,
    [property: JsonPropertyName("publisher")] string? Publisher);
