using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Power;

/// <summary>Source-generated JSON for the demo's power calls to farm-sim.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PowerBody))]
internal sealed partial class PowerBodyJsonContext : JsonSerializerContext;
