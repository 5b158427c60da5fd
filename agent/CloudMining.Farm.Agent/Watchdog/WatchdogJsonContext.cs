using System.Text.Json.Serialization;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>Source-generated JSON for watchdog.json.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(WatchdogDocument))]
internal sealed partial class WatchdogJsonContext : JsonSerializerContext;
