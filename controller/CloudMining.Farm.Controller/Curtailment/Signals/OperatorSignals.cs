using System.Text.Json.Serialization;

namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>The operator's curtailment signals as stored (store migration 8, <c>curtailment_signals</c>), so that a controller restart keeps them.</summary>
public sealed record OperatorSignals(EnergyPrice? Price, IReadOnlyList<DemandResponseEvent> Events);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(OperatorSignals))]
internal sealed partial class OperatorSignalsJsonContext : JsonSerializerContext;
