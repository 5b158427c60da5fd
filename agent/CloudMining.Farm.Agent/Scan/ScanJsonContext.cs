using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Scan;

/// <summary>Source-generated JSON for `farm-agent scan --json` and the --emit-config snippet.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ScanReport))]
internal sealed partial class ScanJsonContext : JsonSerializerContext;
