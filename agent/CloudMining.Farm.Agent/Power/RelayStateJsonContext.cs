using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Power;

/// <summary>Source-generated JSON for relays.json.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RelayStateDocument))]
internal sealed partial class RelayStateJsonContext : JsonSerializerContext;
