using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Status;

/// <summary>Source-generated JSON for status.json, camelCase, readable by people and scripts.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentStatusDocument))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
