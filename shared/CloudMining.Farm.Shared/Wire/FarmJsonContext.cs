using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>Source-generated System.Text.Json metadata for every farm/v1 payload (camelCase, nulls omitted, every number finite: see <see cref="FiniteNumberConverter"/>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(FiniteNumberConverter)])]
[JsonSerializable(typeof(AgentStatusPayload))]
[JsonSerializable(typeof(MinerTelemetryPayload))]
[JsonSerializable(typeof(MinerStatePayload))]
[JsonSerializable(typeof(FarmEventPayload))]
[JsonSerializable(typeof(DesiredPoolStatePayload))]
[JsonSerializable(typeof(ReportedPoolStatePayload))]
[JsonSerializable(typeof(AllocationPayload))]
[JsonSerializable(typeof(CapacityPayload))]
[JsonSerializable(typeof(TelemetryBatchPayload))]
[JsonSerializable(typeof(TelemetryBatchEntry))]
public sealed partial class FarmJsonContext : JsonSerializerContext;
