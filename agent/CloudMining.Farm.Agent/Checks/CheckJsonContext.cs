using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Checks;

/// <summary>Source-generated JSON for `farm-agent check --json`.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CheckReport))]
internal sealed partial class CheckJsonContext : JsonSerializerContext;
