using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>Source-generated JSON for `farm-agent decode --json`.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecodeReport))]
internal sealed partial class DecodeJsonContext : JsonSerializerContext;
